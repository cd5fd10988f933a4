import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { AIRFLOW_VERSION, DAGS_FOLDER, LOCK_FILE, PARTS, airflowEnv, markerOf, parseLock, passwordFileOf, resolvePassword, supportedPython, unhealthyComponents } from './airflow.ts';

const quiet = createLogger({ test: 'airflow' }, () => undefined);

describe('the Airflow lock file', () => {
  it('pins every package exactly, Airflow and the HTTP provider included', () => {
    const pins = parseLock(fs.readFileSync(LOCK_FILE, 'utf8'));
    expect(pins).toContain(`apache-airflow==${AIRFLOW_VERSION}`);
    expect(pins.some((p) => p.startsWith('apache-airflow-providers-http=='))).toBe(true);
    expect(new Set(pins.map((p) => p.split('==')[0]?.toLowerCase())).size).toBe(pins.length);
  });

  it('refuses ranges, unpinned lines and a lock without Airflow', () => {
    expect(() => parseLock(`apache-airflow==${AIRFLOW_VERSION}\nfoo>=1\n`)).toThrow(/"foo>=1" is not an exact pin/);
    expect(() => parseLock(`apache-airflow==${AIRFLOW_VERSION}\nbar\n`)).toThrow(/not an exact pin/);
    expect(() => parseLock('# only\nfoo==1\n')).toThrow(/does not pin apache-airflow==/);
    expect(parseLock(`# c\n\napache-airflow==${AIRFLOW_VERSION}  # the one\nx-y.z==1.0.post1\n`)).toEqual([`apache-airflow==${AIRFLOW_VERSION}`, 'x-y.z==1.0.post1']);
  });
});

describe('python', () => {
  it('accepts the versions Airflow 3.3 supports', () => {
    expect(supportedPython('Python 3.11.7')).toBe(true);
    expect(supportedPython('Python 3.13.0\n')).toBe(true);
    expect(supportedPython('Python 3.9.18')).toBe(false);
    expect(supportedPython('Python 3.14.0')).toBe(false);
    expect(supportedPython('garbage')).toBe(false);
  });
});

describe('the environment of the Airflow processes', () => {
  const env = airflowEnv(
      { home: '/h', dataDir: '/h/data', venvBin: '/h/venv/bin', port: 18280, dagsFolder: DAGS_FOLDER, passwordsFile: '/h/pw.json', secret: 's3', gatewayUrl: 'http://127.0.0.1:8080', dashboardUrl: 'http://127.0.0.1:3000' },
      { PATH: '/usr/bin', HOME: '/root' },
  );

  it('points the task runners at our API server, not localhost:8080 (the gateway)', () => {
    expect(env.AIRFLOW__API__BASE_URL).toBe('http://127.0.0.1:18280');
    expect(env.AIRFLOW__CORE__EXECUTION_API_SERVER_URL).toBe('http://127.0.0.1:18280/execution/');
    expect(env.AIRFLOW__API__HOST).toBe('127.0.0.1');
    expect(env.AIRFLOW__API__PORT).toBe('18280');
  });

  it('loads only our DAGs, unpaused, with few workers, the simple auth manager and one shared secret', () => {
    expect(env.AIRFLOW__CORE__DAGS_FOLDER).toBe(path.join(path.dirname(LOCK_FILE), '..', '..', '..', 'airflow', 'dags'));
    expect(env.AIRFLOW__CORE__LOAD_EXAMPLES).toBe('False');
    expect(env.AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION).toBe('False');
    expect(env.AIRFLOW__CORE__PARALLELISM).toBe('4');
    expect(env.AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS).toBe('admin:admin');
    expect(env.AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE).toBe('/h/pw.json');
    expect(env.AIRFLOW__API_AUTH__JWT_SECRET).toBe('s3');
  });

  it("gives the DAGs the gateway's user and password file (basic auth), never the password itself", () => {
    const withAuth = airflowEnv(
      { home: '/h', dataDir: '/h/data', venvBin: '/h/venv/bin', port: 18280, dagsFolder: DAGS_FOLDER, passwordsFile: '/h/pw.json', secret: 's3', gatewayUrl: 'http://127.0.0.1:8080', dashboardUrl: 'http://127.0.0.1:3000', gatewayUser: 'admin', gatewayPasswordFile: '/h/gateway/password' },
      { PATH: '/usr/bin' },
    );
    expect(withAuth.GATEWAY_USER).toBe('admin');
    expect(withAuth.GATEWAY_PASSWORD_FILE).toBe('/h/gateway/password');
    expect(withAuth.GATEWAY_PASSWORD).toBeUndefined();
  });

  it('keeps its data under the data dir (stack reset deletes it) and puts the venv first on PATH', () => {
    expect(env.AIRFLOW_HOME).toBe('/h');
    expect(env.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).toBe('sqlite:////h/data/airflow.db');
    expect(env.AIRFLOW__LOGGING__BASE_LOG_FOLDER).toBe('/h/data/logs');
    expect(env.PATH).toBe('/h/venv/bin:/usr/bin');
    expect(env.HOME).toBe('/root');
  });

  it('gives the DAGs the gateway and the dashboard as connections', () => {
    expect(env.AIRFLOW_CONN_ORDERPULSE_GATEWAY).toBe('http://127.0.0.1:8080');
    expect(env.AIRFLOW_CONN_ORDERPULSE_DASHBOARD).toBe('http://127.0.0.1:3000');
  });
});

describe('health', () => {
  it('needs the database, the scheduler and the DAG processor; the triggerer is not run', () => {
    const ok = { metadatabase: { status: 'healthy' }, scheduler: { status: 'healthy' }, triggerer: { status: null }, dag_processor: { status: 'healthy' } };
    expect(unhealthyComponents(ok)).toEqual([]);
    expect(unhealthyComponents({ ...ok, scheduler: { status: 'unhealthy' }, dag_processor: undefined })).toEqual(['scheduler', 'dag_processor']);
    expect(unhealthyComponents({ metadatabase: { status: 'healthy' } }, ['metadatabase'])).toEqual([]);
  });

  it('recognises its processes, also once the API server has retitled itself', () => {
    expect(PARTS.map((p) => p.command)).toEqual(['api-server', 'scheduler', 'dag-processor']);
    const api = markerOf({ command: 'api-server' });
    expect('/h/venv/bin/python3.11 /h/venv/bin/airflow api-server').toContain(api);
    expect('airflow api_server -- host:127.0.0.1 port:8280').toContain(api);
    expect('/h/venv/bin/python3.11 /h/venv/bin/airflow scheduler').toContain(markerOf({ command: 'scheduler' }));
  });
});

describe('the admin password', () => {
  it('is AIRFLOW_PASSWORD when set, else generated once into .local/airflow/password', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'op-airflow-'));
    try {
      const ctx = { config: loadConfig({}), log: quiet, dir };
      const first = resolvePassword(ctx);
      expect(first.length).toBeGreaterThanOrEqual(16);
      expect(fs.readFileSync(passwordFileOf(ctx), 'utf8').trim()).toBe(first);
      expect(fs.statSync(passwordFileOf(ctx)).mode & 0o077).toBe(0);
      expect(resolvePassword(ctx)).toBe(first);
      expect(resolvePassword({ ...ctx, config: loadConfig({ AIRFLOW_PASSWORD: 'given' }) })).toBe('given');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
