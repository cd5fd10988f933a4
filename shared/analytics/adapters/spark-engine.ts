/**
 * The analytics engine on Apache Spark, over the network only: one REST submission
 * (POST {SPARK_REST_URL}/v1/submissions/create, mainClass org.apache.spark.deploy.PythonRunner) of
 * the project's PySpark job spark/jobs/analytics.py in cluster mode, polled at
 * /v1/submissions/status/<id>. Never spawns spark-submit.
 *
 * The job gets everything as one base64 JSON argument (jobSpec): the SQL of queries.ts, the
 * columns and their Spark DDL schema (columnsDdl(SPARK_TYPES)), where the hot store is (MongoDB
 * Spark connector, explicit schema, a partitioner FerretDB supports) and where the archive is
 * (the Hive table through the metastore when HIVE_METASTORE_URI is set, else the Parquet directory
 * of ARCHIVE_URL: file:// as is, webhdfs:// as the hdfs:// location the archive's storage gives).
 * The job writes one document {_id: run id, body: JSON} into MongoDB `analytics_spark_results`,
 * which run() reads with the driver and deletes.
 *
 * Jars: the driver's classpath gets the MongoDB connector jars and the metastore client the local
 * stack installed (.local/spark/…, dev/stack/spark.ts): job file and jars are paths on the machine
 * the Spark worker runs on, which is this one in the local stack.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, type Config } from '../../platform/config.ts';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { connectMongo, COLLECTIONS, type MongoHandle } from '../../adapters/mongo.ts';
import { createStorage } from '../../archive/adapters/factory.ts';
import { TABLE_DIR } from '../../archive/layout.ts';
import { DEFAULT_TARGET, type ArchiveTarget } from '../../archive/table.ts';
import { ANALYTICS_FIELD_NAMES, SPARK_TYPES, columnsDdl } from '../columns.ts';
import type { AnalyticsEngine } from '../engine.ts';
import { QUERY_NAMES, type QueryName, type RawResults, type Row } from '../queries.ts';

export const SPARK_JOB_FILE = path.join(ROOT, 'spark', 'jobs', 'analytics.py');
export const SPARK_RESULTS_COLLECTION = 'analytics_spark_results';
export const SPARK_CLIENT_VERSION = '4.3.0';
export const HIVE_CLIENT_VERSION = '4.0.1';
const START_HINT = 'start it with `npm run stack -- up --all` (check with `npm run stack -- status --all`)';

/** Where the local stack's Spark installation keeps the jars jobs need (dev/stack/spark.ts installs them). */
export function sparkPaths(localDir: string): { home: string; mongoLibs: string; hiveClientLibs: string } {
  const home = path.join(localDir, 'spark');
  return { home, mongoLibs: path.join(home, 'mongo', 'libs'), hiveClientLibs: path.join(home, 'hive-client', 'libs') };
}

export type ArchiveSource = { kind: 'hive'; database: string; table: string } | { kind: 'parquet'; path: string };

/** Where the job reads the archive: the Hive table when a metastore is configured, else ARCHIVE_URL's Parquet table directory. */
export function archiveSource(config: Pick<Config, 'archiveUrl' | 'hiveMetastoreUri' | 'localDir' | 'hdfsPort'>, target: ArchiveTarget = DEFAULT_TARGET): ArchiveSource {
  if (config.hiveMetastoreUri) return { kind: 'hive', database: target.database, table: target.table };
  // webhdfs:// does not work inside Spark (shaded Jersey); the storage's location is hdfs://namenode:rpc/…
  return { kind: 'parquet', path: createStorage(config).storage.locationOf(TABLE_DIR) };
}

export interface MongoSource {
  url: string;
  db: string;
  collection: string;
  /** FerretDB supports SinglePartition and PaginateIntoPartitions (not Sample, PaginateBySize, AutoBucket). */
  partitioner: string;
  partitioner_options: Record<string, string | number>;
}

export interface JobSpec {
  run_id: string;
  queries: Record<QueryName, string>;
  columns: string[];
  hot_schema: string;
  mongo: MongoSource;
  archive: ArchiveSource;
  results: { db: string; collection: string };
}

export const PARTITIONER = 'com.mongodb.spark.sql.connector.read.partitioner.PaginateIntoPartitionsPartitioner';

export function jobSpec(p: { runId: string; queries: Record<QueryName, string>; mongoUrl: string; db: string; archive: ArchiveSource; maxPartitions?: number }): JobSpec {
  return {
    run_id: p.runId,
    queries: p.queries,
    columns: [...ANALYTICS_FIELD_NAMES],
    hot_schema: columnsDdl(SPARK_TYPES),
    mongo: { url: p.mongoUrl, db: p.db, collection: COLLECTIONS.fact, partitioner: PARTITIONER, partitioner_options: { 'max.number.of.partitions': p.maxPartitions ?? 2 } },
    archive: p.archive,
    results: { db: p.db, collection: SPARK_RESULTS_COLLECTION },
  };
}

export const encodeSpec = (spec: JobSpec): string => Buffer.from(JSON.stringify(spec), 'utf8').toString('base64');

export interface SubmissionInput {
  masterUrl: string;
  jobFile: string;
  spec: JobSpec;
  /** Jar files for the driver and executors (the MongoDB connector). */
  jars: string[];
  /** Set when the archive is read through the Hive Metastore. */
  hive?: { uri: string; clientJarsDir: string };
  driverMemory?: string;
  executorMemory?: string;
  shufflePartitions?: number;
  /** Executor cores of the application in total (spark.cores.max; default 1), one core per executor. */
  cores?: number;
}

/** The body of POST /v1/submissions/create. */
export function submissionRequest(p: SubmissionInput): Record<string, unknown> {
  const props: Record<string, string> = {
    'spark.master': p.masterUrl,
    'spark.submit.deployMode': 'cluster',
    'spark.app.name': `orderpulse-analytics-${p.spec.run_id}`,
    'spark.driver.supervise': 'false',
    'spark.jars': p.jars.join(','),
    'spark.driver.memory': p.driverMemory ?? '512m',
    'spark.executor.memory': p.executorMemory ?? '512m',
    'spark.executor.cores': '1',
    'spark.cores.max': String(p.cores ?? 1),
    'spark.ui.enabled': 'false',
    'spark.sql.session.timeZone': 'UTC',
    'spark.driver.extraJavaOptions': '-Duser.timezone=UTC',
    'spark.executor.extraJavaOptions': '-Duser.timezone=UTC',
    // The data is small per run; the default 200 shuffle partitions cost seconds of task overhead.
    'spark.sql.shuffle.partitions': String(p.shufflePartitions ?? 2),
  };
  if (p.hive) {
    props['spark.sql.catalogImplementation'] = 'hive';
    props['spark.hadoop.hive.metastore.uris'] = p.hive.uri;
    props['spark.sql.hive.metastore.version'] = HIVE_CLIENT_VERSION;
    props['spark.sql.hive.metastore.jars'] = 'path';
    props['spark.sql.hive.metastore.jars.path'] = `file://${p.hive.clientJarsDir}/*.jar`;
  }
  return {
    action: 'CreateSubmissionRequest',
    appResource: `file://${p.jobFile}`,
    mainClass: 'org.apache.spark.deploy.PythonRunner',
    appArgs: [p.jobFile, '', encodeSpec(p.spec)],
    clientSparkVersion: SPARK_CLIENT_VERSION,
    environmentVariables: { SPARK_ENV_LOADED: '1' },
    sparkProperties: props,
  };
}

export interface DriverStatus {
  driverState: string;
  workerHostPort?: string;
  message?: string;
}

const FINAL_STATES = new Set(['FINISHED', 'FAILED', 'ERROR', 'KILLED', 'RELAUNCHING', 'UNKNOWN']);

/** A status answer -> the driver's state, or undefined while it has none yet (SUBMITTED/RUNNING are states too). */
export function parseStatus(json: unknown): DriverStatus | undefined {
  const j = (json ?? {}) as { driverState?: string; workerHostPort?: string; message?: string; success?: boolean };
  if (typeof j.driverState !== 'string') return undefined;
  const st: DriverStatus = { driverState: j.driverState };
  if (typeof j.workerHostPort === 'string') st.workerHostPort = j.workerHostPort;
  if (typeof j.message === 'string' && j.message.trim() !== '') st.message = j.message;
  return st;
}

export const isFinal = (state: string): boolean => FINAL_STATES.has(state);

/** The job's results document body -> RawResults, or the job's own error. */
export function parseResults(body: string): { ok: true; raw: RawResults } | { ok: false; error: string } {
  const doc = JSON.parse(body) as { ok?: boolean; results?: Record<string, Row[]>; error?: string };
  if (doc.ok !== true) return { ok: false, error: doc.error ?? 'the job reported a failure without a message' };
  const results = doc.results ?? {};
  const raw = {} as RawResults;
  for (const name of QUERY_NAMES) {
    const rows = results[name];
    if (!Array.isArray(rows)) return { ok: false, error: `the job returned no rows for query ${name}` };
    raw[name] = rows;
  }
  return { ok: true, raw };
}

/** The last meaningful lines of a driver's stderr: the Python traceback's end, or Spark's ERROR lines. */
export function driverErrorOf(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const ours = lines.findLast((l) => l.startsWith('orderpulse analytics failed: '));
  if (ours) return ours.slice('orderpulse analytics failed: '.length);
  const tb = lines.findLastIndex((l) => l.startsWith('Traceback (most recent call last)'));
  if (tb >= 0) return lines.slice(tb).slice(-3).join('\n');
  const errors = lines.filter((l) => /\b(ERROR|Exception|Error:)\b/.test(l));
  return (errors.length > 0 ? errors : lines).slice(-5).join('\n');
}

export interface SparkEngineOptions {
  /** MongoDB database of the hot store and of the results document (default config.mongoDb). */
  dbName?: string;
  /** The archive table (tests use their own Hive database). */
  target?: ArchiveTarget;
  /** Give up on a run after this long (default 10 min). */
  timeoutMs?: number;
  pollMs?: number;
  /** Executor cores in total (spark.cores.max, one per executor; default 1). The driver takes one more core of a worker. */
  cores?: number;
  /** MongoDB connector partitions of the hot store (default 2). */
  hotPartitions?: number;
}

export class SparkEngine implements AnalyticsEngine {
  readonly name = 'spark' as const;
  private mongo: MongoHandle | undefined;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly opts: SparkEngineOptions = {},
  ) {}

  private async http(method: 'GET' | 'POST', url: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' },
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new DependencyError('spark', `the Spark master's REST submission server at ${this.config.sparkRestUrl} does not answer (${(cause as Error).message}); ${START_HINT}`, { cause });
    }
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new DependencyError('spark', `${method} ${url} answered HTTP ${res.status} without JSON: ${text.slice(0, 300)}`, { cause });
    }
  }

  private jars(): string[] {
    const { mongoLibs } = sparkPaths(this.config.localDir);
    let jars: string[] = [];
    try {
      jars = fs.readdirSync(mongoLibs).filter((f) => f.endsWith('.jar'));
    } catch {
      /* reported below */
    }
    if (!jars.some((j) => j.startsWith('mongo-spark-connector'))) throw new DependencyError('spark', `the MongoDB Spark connector jars are not installed in ${mongoLibs}; ${START_HINT}`, { retriable: false });
    return jars.map((j) => path.join(mongoLibs, j));
  }

  private async db(): Promise<MongoHandle> {
    this.mongo ??= await connectMongo(this.config, this.opts.dbName ?? this.config.mongoDb);
    return this.mongo;
  }

  async run(queries: Record<QueryName, string>, signal?: AbortSignal): Promise<RawResults> {
    const t0 = Date.now();
    const runId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const archive = archiveSource(this.config, this.opts.target);
    const spec = jobSpec({ runId, queries, mongoUrl: this.config.mongoUrl, db: this.opts.dbName ?? this.config.mongoDb, archive, ...(this.opts.hotPartitions ? { maxPartitions: this.opts.hotPartitions } : {}) });
    const hive = archive.kind === 'hive' && this.config.hiveMetastoreUri ? { uri: this.config.hiveMetastoreUri, clientJarsDir: sparkPaths(this.config.localDir).hiveClientLibs } : undefined;
    if (hive && !fs.existsSync(hive.clientJarsDir)) throw new DependencyError('spark', `the Hive metastore client jars are not installed in ${hive.clientJarsDir}; ${START_HINT}`, { retriable: false });
    const body = submissionRequest({ masterUrl: this.config.sparkMasterUrl, jobFile: SPARK_JOB_FILE, spec, jars: this.jars(), ...(hive ? { hive } : {}), ...(this.opts.cores ? { cores: this.opts.cores } : {}) });
    const { db } = await this.db();
    const created = (await this.http('POST', `${this.config.sparkRestUrl}/v1/submissions/create`, body, signal)) as { success?: boolean; submissionId?: string; message?: string };
    if (created.success !== true || typeof created.submissionId !== 'string') {
      throw new DependencyError('spark', `the master refused the submission: ${created.message ?? JSON.stringify(created).slice(0, 500)}`);
    }
    const id = created.submissionId;
    const log = this.log.child({ engine: 'spark', submission: id, run: runId });
    log.info('spark job submitted', { archive: archive.kind });
    try {
      const status = await this.waitFinal(id, signal);
      const doc = await db.collection<{ _id: string; body: string }>(SPARK_RESULTS_COLLECTION).findOne({ _id: runId });
      const parsed = doc ? parseResults(doc.body) : undefined;
      if (status.driverState === 'FINISHED' && parsed?.ok) {
        log.info('spark job finished', { ms: Date.now() - t0 });
        return parsed.raw;
      }
      const why = parsed && !parsed.ok ? parsed.error : (status.message ?? (await this.driverStderr(id, status)));
      throw new DependencyError('spark', `analytics job ${id} ended ${status.driverState}: ${why}`, { retriable: status.driverState !== 'FINISHED' });
    } finally {
      await db.collection<{ _id: string }>(SPARK_RESULTS_COLLECTION).deleteOne({ _id: runId }).catch(() => undefined);
    }
  }

  private async waitFinal(id: string, signal?: AbortSignal): Promise<DriverStatus> {
    const deadline = Date.now() + (this.opts.timeoutMs ?? 600_000);
    const poll = this.opts.pollMs ?? 500;
    for (;;) {
      if (signal?.aborted || Date.now() > deadline) {
        await this.http('POST', `${this.config.sparkRestUrl}/v1/submissions/kill/${id}`).catch(() => undefined);
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DependencyError('spark', `analytics job ${id} aborted`);
        throw new DependencyError('spark', `analytics job ${id} did not finish within ${Math.round((this.opts.timeoutMs ?? 600_000) / 1000)} s (killed); see the Spark master UI at http://127.0.0.1:${this.config.sparkMasterUiPort}`);
      }
      const st = parseStatus(await this.http('GET', `${this.config.sparkRestUrl}/v1/submissions/status/${id}`, undefined, signal));
      if (st && isFinal(st.driverState)) return st;
      await new Promise((r) => setTimeout(r, poll));
    }
  }

  /** The failed driver's stderr from its worker's web UI (/log), reduced to its error lines. */
  private async driverStderr(id: string, status: DriverStatus): Promise<string> {
    try {
      const master = (await this.http('GET', `http://127.0.0.1:${this.config.sparkMasterUiPort}/json/`)) as { workers?: { host?: string; port?: number; webuiaddress?: string }[] };
      const w = (master.workers ?? []).find((x) => `${x.host}:${x.port}` === status.workerHostPort) ?? master.workers?.[0];
      const base = w?.webuiaddress ?? `http://127.0.0.1:${this.config.sparkWorkerUiPort}`;
      const res = await fetch(`${base}/log/?driverId=${encodeURIComponent(id)}&logType=stderr&byteLength=65536`, { signal: AbortSignal.timeout(10_000) });
      return driverErrorOf(await res.text());
    } catch (e) {
      return `no error text (could not read the driver's log: ${(e as Error).message}); see the Spark worker UI at http://127.0.0.1:${this.config.sparkWorkerUiPort}`;
    }
  }

  async close(): Promise<void> {
    const m = this.mongo;
    this.mongo = undefined;
    await m?.close();
  }
}
