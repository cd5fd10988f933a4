import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { ANALYTICS_FIELD_NAMES, SPARK_TYPES, columnsDdl } from '../columns.ts';
import { QUERIES, QUERY_NAMES } from '../queries.ts';
import { archiveSource, driverErrorOf, encodeSpec, isFinal, jobSpec, parseResults, parseStatus, sparkPaths, submissionRequest, SPARK_JOB_FILE } from './spark-engine.ts';

const spec = jobSpec({ runId: 'r1', queries: QUERIES, mongoUrl: 'mongodb://127.0.0.1:27017/', db: 'op', archive: { kind: 'hive', database: 'orderpulse', table: 'orders_fact' } });

describe('spark engine (pure parts)', () => {
  it('reads the archive through Hive when a metastore is configured, else the Parquet table directory (hdfs:// for webhdfs://)', () => {
    const hive = loadConfig({ HIVE_METASTORE_URI: 'thrift://127.0.0.1:9083', ARCHIVE_URL: 'webhdfs://127.0.0.1:9870/orderpulse' });
    expect(archiveSource(hive)).toEqual({ kind: 'hive', database: 'orderpulse', table: 'orders_fact' });
    expect(archiveSource(hive, { database: 'mine', table: 't' })).toEqual({ kind: 'hive', database: 'mine', table: 't' });
    expect(archiveSource(loadConfig({ ARCHIVE_URL: 'webhdfs://127.0.0.1:9870/orderpulse' }))).toEqual({ kind: 'parquet', path: 'hdfs://127.0.0.1:8020/orderpulse/orders_fact' });
    expect(archiveSource(loadConfig({ ARCHIVE_URL: 'file:///srv/archive' }))).toEqual({ kind: 'parquet', path: 'file:///srv/archive/orders_fact' });
  });

  it('gives the job the SQL, the columns and their Spark schema from the TypeScript definitions', () => {
    expect(spec.queries).toBe(QUERIES);
    expect(spec.columns).toEqual([...ANALYTICS_FIELD_NAMES]);
    expect(spec.hot_schema).toBe(columnsDdl(SPARK_TYPES));
    expect(spec.hot_schema).toContain('total_amount DECIMAL(18,2)');
    expect(spec.mongo).toMatchObject({ db: 'op', collection: 'orders_fact', partitioner: expect.stringMatching(/PaginateIntoPartitionsPartitioner$/) });
    expect(spec.results).toEqual({ db: 'op', collection: 'analytics_spark_results' });
    expect(JSON.parse(Buffer.from(encodeSpec(spec), 'base64').toString('utf8'))).toEqual(JSON.parse(JSON.stringify(spec)));
  });

  it('submits the PySpark job in cluster mode with the connector jars, UTC, and the Hive 4.0.1 client when reading Hive', () => {
    const body = submissionRequest({ masterUrl: 'spark://127.0.0.1:7077', jobFile: SPARK_JOB_FILE, spec, jars: ['/j/a.jar', '/j/b.jar'], hive: { uri: 'thrift://127.0.0.1:9083', clientJarsDir: '/h/libs' } });
    expect(body).toMatchObject({ action: 'CreateSubmissionRequest', mainClass: 'org.apache.spark.deploy.PythonRunner', appResource: `file://${SPARK_JOB_FILE}` });
    expect((body.appArgs as string[]).slice(0, 2)).toEqual([SPARK_JOB_FILE, '']);
    const props = body.sparkProperties as Record<string, string>;
    expect(props).toMatchObject({
      'spark.master': 'spark://127.0.0.1:7077',
      'spark.submit.deployMode': 'cluster',
      'spark.jars': '/j/a.jar,/j/b.jar',
      'spark.sql.session.timeZone': 'UTC',
      'spark.sql.catalogImplementation': 'hive',
      'spark.hadoop.hive.metastore.uris': 'thrift://127.0.0.1:9083',
      'spark.sql.hive.metastore.version': '4.0.1',
      'spark.sql.hive.metastore.jars': 'path',
      'spark.sql.hive.metastore.jars.path': 'file:///h/libs/*.jar',
    });
    const noHive = submissionRequest({ masterUrl: 'spark://x:1', jobFile: '/j.py', spec, jars: [] }).sparkProperties as Record<string, string>;
    expect(noHive['spark.sql.catalogImplementation']).toBeUndefined();
    expect(noHive['spark.cores.max']).toBe('1');
    expect((submissionRequest({ masterUrl: 'spark://x:1', jobFile: '/j.py', spec, jars: [], cores: 2 }).sparkProperties as Record<string, string>)['spark.cores.max']).toBe('2');
    expect(SPARK_JOB_FILE).toMatch(/\/spark\/jobs\/analytics\.py$/);
    expect(sparkPaths('/l')).toEqual({ home: '/l/spark', mongoLibs: '/l/spark/mongo/libs', hiveClientLibs: '/l/spark/hive-client/libs' });
  });

  it('reads driver states from REST status answers', () => {
    expect(parseStatus({ action: 'SubmissionStatusResponse', driverState: 'RUNNING', workerHostPort: '127.0.0.1:4' })).toEqual({ driverState: 'RUNNING', workerHostPort: '127.0.0.1:4' });
    expect(parseStatus({ action: 'SubmissionStatusResponse', success: false })).toBeUndefined();
    expect(parseStatus({ driverState: 'ERROR', message: 'Exception from the cluster: boom' })?.message).toMatch(/boom/);
    expect(['FINISHED', 'FAILED', 'ERROR', 'KILLED'].every(isFinal)).toBe(true);
    expect(['SUBMITTED', 'RUNNING'].some(isFinal)).toBe(false);
  });

  it('parses the results document, and refuses one that misses a query', () => {
    const results = Object.fromEntries(QUERY_NAMES.map((n) => [n, [{ orders: 1 }]]));
    const ok = parseResults(JSON.stringify({ ok: true, results }));
    expect(ok.ok && ok.raw.summary).toEqual([{ orders: 1 }]);
    expect(parseResults(JSON.stringify({ ok: false, error: 'AnalysisException: x' }))).toEqual({ ok: false, error: 'AnalysisException: x' });
    const missing = parseResults(JSON.stringify({ ok: true, results: { summary: [] } }));
    expect(missing.ok).toBe(false);
  });

  it("finds the error in a driver's stderr", () => {
    expect(driverErrorOf('INFO a\norderpulse analytics failed: AnalysisException: [UNRESOLVED_COLUMN] x\nTraceback (most recent call last):\n  File "a.py"\n')).toBe('AnalysisException: [UNRESOLVED_COLUMN] x');
    expect(driverErrorOf('INFO a\nTraceback (most recent call last):\n  File "a.py", line 1\nImportError: no module\n')).toMatch(/ImportError: no module/);
    expect(driverErrorOf('INFO a\n2026 ERROR SparkContext: boom\nINFO b\n')).toBe('2026 ERROR SparkContext: boom');
  });
});
