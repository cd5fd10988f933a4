import { describe, expect, it } from 'vitest';
import { HIVE_CLIENT_LIBS, MONGO_CONNECTOR_LIBS, combineStatus, daemonEnv, masterArgs, masterState, parseRequirements, renderDaemonConf, workerArgs } from './spark.ts';
import fs from 'node:fs';
import { REQUIREMENTS_FILE } from './spark.ts';

const daemon = { sparkHome: '/v/lib/python3.11/site-packages/pyspark', confDir: '/s/conf', host: '127.0.0.1' };

describe('spark service', () => {
  it('installs only exact pins from the committed lock file, pyspark among them', () => {
    const pins = parseRequirements(fs.readFileSync(REQUIREMENTS_FILE, 'utf8'));
    expect(pins.some((p) => /^pyspark==4\.\d+\.\d+$/.test(p))).toBe(true);
    expect(pins.some((p) => p.startsWith('py4j=='))).toBe(true);
    expect(parseRequirements('# c\n\na==1.0  # why\n')).toEqual(['a==1.0']);
    expect(() => parseRequirements('pandas<3\n')).toThrow(/not an exact name==version pin/);
    expect(() => parseRequirements('pyspark\n')).toThrow(/not an exact/);
  });

  it('starts the master on 127.0.0.1 with its RPC and UI ports, conf dir first on the classpath', () => {
    const args = masterArgs({ ...daemon, port: 17077, uiPort: 18180 });
    expect(args[args.indexOf('-cp') + 1]).toBe('/s/conf:/v/lib/python3.11/site-packages/pyspark/jars/*');
    const main = args.indexOf('org.apache.spark.deploy.master.Master');
    expect(args.slice(main)).toEqual(['org.apache.spark.deploy.master.Master', '--host', '127.0.0.1', '--port', '17077', '--webui-port', '18180', '--properties-file', '/s/conf/spark-defaults.conf']);
  });

  it('starts one worker with 2 cores and 1 GiB against the master', () => {
    const args = workerArgs({ ...daemon, masterUrl: 'spark://127.0.0.1:17077', uiPort: 18181, cores: 2, memory: '1g', workDir: '/s/data/work' });
    expect(args.at(-1)).toBe('spark://127.0.0.1:17077');
    expect(args.slice(args.indexOf('--cores'), args.indexOf('--cores') + 4)).toEqual(['--cores', '2', '--memory', '1g']);
    expect(args[args.indexOf('--webui-port') + 1]).toBe('18181');
    expect(args[args.indexOf('--work-dir') + 1]).toBe('/s/data/work');
  });

  it('enables REST submission on the configured port and host', () => {
    const conf = renderDaemonConf({ restPort: 16066, host: '127.0.0.1' });
    expect(conf).toMatch(/^spark\.master\.rest\.enabled true$/m);
    expect(conf).toMatch(/^spark\.master\.rest\.port 16066$/m);
    expect(conf).toMatch(/^spark\.master\.rest\.host 127\.0\.0\.1$/m);
  });

  it('gives drivers the venv Python, SPARK_HOME and UTC', () => {
    const env = daemonEnv({ sparkHome: daemon.sparkHome, venvDir: '/s/venv', confDir: '/s/conf', host: '127.0.0.1', base: { PATH: '/bin' } });
    expect(env).toMatchObject({ PATH: '/bin', SPARK_HOME: daemon.sparkHome, PYSPARK_PYTHON: '/s/venv/bin/python', SPARK_LOCAL_IP: '127.0.0.1', SPARK_SCALA_VERSION: '2.13', TZ: 'UTC' });
  });

  it('is healthy only with an ALIVE master and an ALIVE worker', () => {
    expect(masterState({ status: 'ALIVE', workers: [{ state: 'ALIVE' }, { state: 'DEAD' }] })).toEqual({ alive: true, aliveWorkers: 1 });
    expect(masterState({ status: 'STANDBY', workers: [] })).toEqual({ alive: false, aliveWorkers: 0 });
    expect(masterState(undefined)).toEqual({ alive: false, aliveWorkers: 0 });
    const m = { name: 'spark-master', running: true, healthy: true, endpoint: 'http://127.0.0.1:6066', logFile: '/s/spark-master.log', pid: 10 };
    const w = { name: 'spark-worker', running: false, healthy: false, endpoint: 'ui', logFile: '/s/spark-worker.log' };
    expect(combineStatus(m, w)).toMatchObject({ name: 'spark', running: false, healthy: false, pid: 10, detail: 'worker not running' });
    expect(combineStatus(m, { ...w, running: true, healthy: true })).toMatchObject({ running: true, healthy: true });
  });

  it('downloads the MongoDB connector and the Hive 4.0.1 client without Hadoop (shared with Spark)', () => {
    expect(MONGO_CONNECTOR_LIBS.deps[0]).toMatchObject({ group: 'org.mongodb.spark', artifact: 'mongo-spark-connector_2.13', version: '10.5.0' });
    expect(HIVE_CLIENT_LIBS.deps.filter((d) => d.group === 'org.apache.hive').map((d) => `${d.artifact}:${d.version}`)).toEqual(['hive-metastore:4.0.1', 'hive-exec:4.0.1', 'hive-common:4.0.1', 'hive-serde:4.0.1']);
    for (const d of HIVE_CLIENT_LIBS.deps.filter((x) => x.group === 'org.apache.hive')) expect(d.exclusions).toContain('org.apache.hadoop:*');
  });
});
