/**
 * Apache Spark 4.3 standalone for the batch analytics: one master (RPC config.sparkMasterPort,
 * REST submission config.sparkRestPort, web UI config.sparkMasterUiPort) and one worker (web UI
 * config.sparkWorkerUiPort, 2 cores, 1 GiB), all on 127.0.0.1. The project talks to it only over
 * HTTP: shared/analytics/adapters/spark-engine.ts submits spark/jobs/analytics.py through REST.
 *
 * Install (cached):
 * - a Python venv under .local/spark/venv with exactly the packages of the committed lock file
 *   dev/stack/python/spark-requirements.txt (pyspark ships Spark's jars; SPARK_HOME = the pyspark
 *   package directory);
 * - from Maven Central: the MongoDB Spark connector and its driver (.local/spark/mongo/libs, given
 *   to jobs as spark.jars), and the Hive 4.0.1 metastore client Spark's IsolatedClientLoader loads
 *   (.local/spark/hive-client/libs, spark.sql.hive.metastore.jars=path): Spark's built-in 2.3.10
 *   client cannot call a 4.x metastore (`Invalid method name: 'get_table'`), and the hive service's
 *   standalone-metastore jars lack the classes the loader needs (ql.metadata.Hive in hive-exec,
 *   HiveConf in hive-common, serde2 in hive-serde). Hadoop classes are shared with Spark's own
 *   hadoop-client, so no Hadoop jar is downloaded for it.
 *
 * Healthy = the master's /json says ALIVE with at least one ALIVE worker, and the REST submission
 * server answers JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../shared/platform/config.ts';
import { ServiceError } from '../../shared/platform/errors.ts';
import type { ServiceContext, ServiceDef, ServiceStatus } from './service.ts';
import { managedService } from './managed.ts';
import { installMavenLibs, javaBin, libsDirOf, type MavenLibsSpec } from './maven-libs.ts';
import { run } from './proc.ts';

export const SPARK_VERSION = '4.3.0';
export const SPARK_HIVE_CLIENT_VERSION = '4.0.1';
export const REQUIREMENTS_FILE = path.join(ROOT, 'dev', 'stack', 'python', 'spark-requirements.txt');

export const MONGO_CONNECTOR_LIBS: MavenLibsSpec = {
  service: 'spark',
  deps: [{ group: 'org.mongodb.spark', artifact: 'mongo-spark-connector_2.13', version: '10.5.0' }],
  // Spark and Scala come with Spark itself.
  drop: ['scala-library-', 'scala-reflect-', 'spark-'],
  mustHave: 'mongo-spark-connector_2.13-10.5.0',
};

/** What Spark's IsolatedClientLoader would fetch through Ivy for Hive 4.0.1, minus Hadoop (shared with Spark's). */
const HIVE_CLIENT_EXCLUSIONS = [
  'org.apache.calcite:calcite-druid',
  'org.apache.curator:*',
  'org.pentaho:pentaho-aggdesigner-algorithm',
  'org.apache.hive:hive-vector-code-gen',
  'org.apache.hadoop:*',
  'org.slf4j:slf4j-reload4j',
  'ch.qos.reload4j:reload4j',
  'org.apache.logging.log4j:log4j-slf4j-impl',
  'org.apache.logging.log4j:log4j-slf4j2-impl',
];

export const HIVE_CLIENT_LIBS: MavenLibsSpec = {
  service: 'spark',
  deps: [
    ...['hive-metastore', 'hive-exec', 'hive-common', 'hive-serde'].map((artifact) => ({ group: 'org.apache.hive', artifact, version: SPARK_HIVE_CLIENT_VERSION, exclusions: HIVE_CLIENT_EXCLUSIONS })),
    { group: 'org.datanucleus', artifact: 'datanucleus-api-jdo', version: '5.2.8' },
    { group: 'org.datanucleus', artifact: 'datanucleus-rdbms', version: '5.2.10' },
    { group: 'org.datanucleus', artifact: 'javax.jdo', version: '3.2.0-release' },
    { group: 'org.antlr', artifact: 'antlr4-runtime', version: '4.9.3' },
  ],
  drop: ['hadoop-', 'slf4j-reload4j-', 'reload4j-'],
  mustHave: `hive-exec-${SPARK_HIVE_CLIENT_VERSION}`,
};

export const venvDirOf = (ctx: Pick<ServiceContext, 'dir'>): string => path.join(ctx.dir, 'venv');
export const mongoLibsDirOf = (ctx: Pick<ServiceContext, 'dir'>): string => path.join(ctx.dir, 'mongo', 'libs');
export const hiveClientLibsDirOf = (ctx: Pick<ServiceContext, 'dir'>): string => path.join(ctx.dir, 'hive-client', 'libs');

/** The lock file's `name==version` lines (comments and blanks dropped); throws on a line that is not an exact pin. */
export function parseRequirements(text: string): string[] {
  const pins: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (!/^[A-Za-z0-9_.-]+==[A-Za-z0-9_.+!-]+$/.test(line)) throw new Error(`${REQUIREMENTS_FILE}: "${line}" is not an exact name==version pin`);
    pins.push(line);
  }
  return pins;
}

/** SPARK_HOME: the pyspark package inside the venv (its bin/, jars/ and python/ are a Spark distribution). */
export function sparkHomeOf(ctx: Pick<ServiceContext, 'dir'>): string {
  const lib = path.join(venvDirOf(ctx), 'lib');
  const py = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith('python3')) : undefined;
  if (py === undefined) throw new ServiceError('spark', `no Python venv at ${venvDirOf(ctx)}: run npm run stack -- up --all`);
  return path.join(lib, py, 'site-packages', 'pyspark');
}

async function installVenv(ctx: ServiceContext): Promise<void> {
  const wanted = fs.readFileSync(REQUIREMENTS_FILE, 'utf8');
  const pins = parseRequirements(wanted);
  const venv = venvDirOf(ctx);
  const stamp = path.join(venv, '.complete');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === pins.join('\n') + '\n') return;
  const log = ctx.log.child({ service: 'spark' });
  log.info(`installing ${pins.join(' ')} into ${venv} (PyPI)…`);
  const t0 = Date.now();
  fs.rmSync(venv, { recursive: true, force: true });
  const mk = await run('python3', ['-m', 'venv', venv], { timeoutMs: 120_000 }).catch((cause: unknown) => {
    throw new ServiceError('spark', `could not run python3 -m venv (apt-get install -y python3-venv): ${(cause as Error).message}`, { cause });
  });
  if (mk.code !== 0) throw new ServiceError('spark', `python3 -m venv failed: ${(mk.stdout + mk.stderr).trim().slice(-2000)}`);
  const pip = await run(path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', '--no-deps', ...pins], { timeoutMs: 20 * 60_000 });
  if (pip.code !== 0) throw new ServiceError('spark', `pip install failed (exit ${pip.code}): ${(pip.stdout + pip.stderr).trim().split('\n').slice(-20).join('\n')}`);
  fs.writeFileSync(stamp, pins.join('\n') + '\n');
  log.info('Python packages ready', { ms: Date.now() - t0 });
}

export async function installSpark(ctx: ServiceContext): Promise<void> {
  await installVenv(ctx);
  await installMavenLibs({ ...ctx, dir: path.join(ctx.dir, 'mongo') }, MONGO_CONNECTOR_LIBS);
  await installMavenLibs({ ...ctx, dir: path.join(ctx.dir, 'hive-client') }, HIVE_CLIENT_LIBS);
}

export interface SparkDaemonInput {
  sparkHome: string;
  confDir: string;
  host: string;
  heap?: string;
}

function daemonJvm(p: SparkDaemonInput): string[] {
  return [`-Xmx${p.heap ?? '256m'}`, '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${path.join(p.confDir, 'log4j2.properties')}`, '-cp', `${p.confDir}:${p.sparkHome}/jars/*`];
}

export function masterArgs(p: SparkDaemonInput & { port: number; uiPort: number }): string[] {
  return [...daemonJvm(p), 'org.apache.spark.deploy.master.Master', '--host', p.host, '--port', String(p.port), '--webui-port', String(p.uiPort), '--properties-file', path.join(p.confDir, 'spark-defaults.conf')];
}

export function workerArgs(p: SparkDaemonInput & { masterUrl: string; uiPort: number; cores: number; memory: string; workDir: string }): string[] {
  return [
    ...daemonJvm(p),
    'org.apache.spark.deploy.worker.Worker',
    '--host',
    p.host,
    '--webui-port',
    String(p.uiPort),
    '--cores',
    String(p.cores),
    '--memory',
    p.memory,
    '--work-dir',
    p.workDir,
    '--properties-file',
    path.join(p.confDir, 'spark-defaults.conf'),
    p.masterUrl,
  ];
}

/** spark-defaults.conf of the daemons: REST submission on, everything on 127.0.0.1, finished drivers' dirs cleaned. */
export function renderDaemonConf(p: { restPort: number; host: string }): string {
  const props: [string, string | number][] = [
    ['spark.master.rest.enabled', 'true'],
    ['spark.master.rest.port', p.restPort],
    ['spark.master.rest.host', p.host],
    ['spark.ui.reverseProxy', 'false'],
    ['spark.worker.cleanup.enabled', 'true'],
    ['spark.worker.cleanup.appDataTtl', 3600],
    ['spark.deploy.retainedDrivers', 50],
    ['spark.deploy.retainedApplications', 50],
  ];
  return ['# Generated by dev/stack/spark.ts on each start; edit the generator, not this file.', ...props.map(([k, v]) => `${k} ${v}`), ''].join('\n');
}

export function renderLog4j2(): string {
  return [
    '# Generated by dev/stack/spark.ts: console => the service log file',
    'rootLogger.level = info',
    'rootLogger.appenderRef.stdout.ref = console',
    'appender.console.type = Console',
    'appender.console.name = console',
    'appender.console.target = SYSTEM_ERR',
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = %d{ISO8601} %p %c{1}: %m%n',
    '',
  ].join('\n');
}

/** Environment of the daemons (the worker's is inherited by the drivers and executors it launches). */
export function daemonEnv(p: { sparkHome: string; venvDir: string; confDir: string; host: string; base?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  return {
    ...(p.base ?? process.env),
    SPARK_HOME: p.sparkHome,
    SPARK_CONF_DIR: p.confDir,
    SPARK_LOCAL_IP: p.host,
    SPARK_LOCAL_HOSTNAME: p.host,
    // The worker's launcher asks for it before it looks for SPARK_HOME/jars (a pip install has no RELEASE file).
    SPARK_SCALA_VERSION: '2.13',
    PYSPARK_PYTHON: path.join(p.venvDir, 'bin', 'python'),
    PYSPARK_DRIVER_PYTHON: path.join(p.venvDir, 'bin', 'python'),
    TZ: 'UTC',
  };
}

interface MasterJson {
  status?: string;
  aliveworkers?: number;
  workers?: { state?: string }[];
}

/** The master UI's /json: ALIVE, and how many workers are ALIVE. */
export function masterState(json: unknown): { alive: boolean; aliveWorkers: number } {
  const j = (json ?? {}) as MasterJson;
  const aliveWorkers = (j.workers ?? []).filter((w) => w.state === 'ALIVE').length;
  return { alive: j.status === 'ALIVE', aliveWorkers };
}

async function getJson(url: string, timeoutMs = 3_000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return JSON.parse(text) as unknown;
}

async function masterHealthy(ctx: ServiceContext): Promise<boolean> {
  try {
    if (!masterState(await getJson(`http://127.0.0.1:${ctx.config.sparkMasterUiPort}/json/`)).alive) return false;
    // The REST server answers any status query with JSON (an unknown id is "success": false).
    const st = (await getJson(`${ctx.config.sparkRestUrl}/v1/submissions/status/orderpulse-health-probe`)) as { action?: string };
    return st.action === 'SubmissionStatusResponse';
  } catch {
    return false;
  }
}

async function workerHealthy(ctx: ServiceContext): Promise<boolean> {
  try {
    return masterState(await getJson(`http://127.0.0.1:${ctx.config.sparkMasterUiPort}/json/`)).aliveWorkers >= 1;
  } catch {
    return false;
  }
}

const confDirOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'conf');
const HOST = '127.0.0.1';

function prepareConf(ctx: ServiceContext): void {
  const conf = confDirOf(ctx);
  fs.mkdirSync(conf, { recursive: true });
  fs.writeFileSync(path.join(conf, 'spark-defaults.conf'), renderDaemonConf({ restPort: ctx.config.sparkRestPort, host: HOST }));
  fs.writeFileSync(path.join(conf, 'log4j2.properties'), renderLog4j2());
}

const envOf = (ctx: ServiceContext): NodeJS.ProcessEnv => daemonEnv({ sparkHome: sparkHomeOf(ctx), venvDir: venvDirOf(ctx), confDir: confDirOf(ctx), host: HOST });

const master = managedService({
  name: 'spark-master',
  group: 'cold',
  marker: 'org.apache.spark.deploy.master.Master',
  endpoint: (ctx) => `${ctx.config.sparkRestUrl} (REST), ${ctx.config.sparkMasterUrl}, UI http://127.0.0.1:${ctx.config.sparkMasterUiPort}`,
  ports: (ctx) => [ctx.config.sparkMasterPort, ctx.config.sparkRestPort, ctx.config.sparkMasterUiPort],
  install: installSpark,
  prepare: async (ctx) => prepareConf(ctx),
  launch: (ctx) => ({
    command: javaBin(),
    args: masterArgs({ sparkHome: sparkHomeOf(ctx), confDir: confDirOf(ctx), host: HOST, port: ctx.config.sparkMasterPort, uiPort: ctx.config.sparkMasterUiPort }),
    env: envOf(ctx),
  }),
  healthy: masterHealthy,
  startTimeoutMs: 120_000,
  stopGraceMs: 15_000,
});

const worker = managedService({
  name: 'spark-worker',
  group: 'cold',
  marker: 'org.apache.spark.deploy.worker.Worker',
  endpoint: (ctx) => `UI http://127.0.0.1:${ctx.config.sparkWorkerUiPort}`,
  ports: (ctx) => [ctx.config.sparkWorkerUiPort],
  install: installSpark,
  prepare: async (ctx) => {
    prepareConf(ctx);
    fs.mkdirSync(path.join(ctx.dir, 'data', 'work'), { recursive: true });
  },
  launch: (ctx) => ({
    command: javaBin(),
    args: workerArgs({
      sparkHome: sparkHomeOf(ctx),
      confDir: confDirOf(ctx),
      host: HOST,
      masterUrl: `spark://${HOST}:${ctx.config.sparkMasterPort}`,
      uiPort: ctx.config.sparkWorkerUiPort,
      cores: 2,
      memory: '1g',
      workDir: path.join(ctx.dir, 'data', 'work'),
    }),
    env: envOf(ctx),
  }),
  healthy: workerHealthy,
  startTimeoutMs: 120_000,
  stopGraceMs: 15_000,
});

/** Both statuses as one row: running/healthy only when both are. */
export function combineStatus(m: ServiceStatus, w: ServiceStatus): ServiceStatus {
  const st: ServiceStatus = { name: 'spark', running: m.running && w.running, healthy: m.healthy && w.healthy, endpoint: m.endpoint, logFile: `${m.logFile} (worker: ${w.logFile})` };
  if (m.pid !== undefined) st.pid = m.pid;
  const details = [m.detail && `master: ${m.detail}`, w.detail && `worker: ${w.detail}`, !w.running && m.running ? 'worker not running' : undefined].filter(Boolean);
  if (details.length > 0) st.detail = details.join('; ');
  return st;
}

export const sparkService: ServiceDef = {
  name: 'spark',
  group: 'cold',
  install: installSpark,
  async start(ctx) {
    await master.start(ctx);
    await worker.start(ctx);
  },
  async stop(ctx) {
    await worker.stop(ctx);
    await master.stop(ctx);
  },
  async status(ctx) {
    return combineStatus(await master.status(ctx), await worker.status(ctx));
  },
  async healthy(ctx) {
    return (await master.healthy(ctx)) && (await worker.healthy(ctx));
  },
};

/** Where the engine finds the installed jars (tests and the engine's defaults). */
export function sparkJarsOf(ctx: Pick<ServiceContext, 'dir'>): { mongo: string; hiveClient: string } {
  return { mongo: libsDirOf({ dir: path.join(ctx.dir, 'mongo') } as ServiceContext), hiveClient: libsDirOf({ dir: path.join(ctx.dir, 'hive-client') } as ServiceContext) };
}
