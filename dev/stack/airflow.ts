/**
 * Apache Airflow 3 for the batch layer's orchestration: the five DAGs of `airflow/dags/`, calling
 * the project's functions (through the gateway) and the dashboard over HTTP. docs/airflow.md.
 *
 * Install (cached): a Python venv under .local/airflow/venv from the committed lock file
 * dev/stack/python/airflow-requirements.txt (exact pins, `pip install --no-deps`), re-installed
 * when the lock file changes (its sha256 is stamped in the venv).
 *
 * Run: AIRFLOW_HOME=.local/airflow, metadata in SQLite under .local/airflow/data (`stack reset`
 * deletes it), `airflow db migrate` when the database is new or older than the installed Airflow,
 * then three processes, each a managed process of its own (no `airflow standalone`):
 *   api-server (log airflow.log) → scheduler (airflow-scheduler.log) → dag-processor (airflow-dag-processor.log).
 * AIRFLOW__API__BASE_URL is essential: without it the task runners call the execution API at
 * http://localhost:8080/execution/, which is our gateway's port.
 *
 * Auth: the simple auth manager, user `admin`; password = AIRFLOW_PASSWORD, or else generated at
 * the first start into .local/airflow/password. Airflow generates passwords only for users missing
 * from its passwords file, so we write `{"admin": <password>}` there before each start.
 *
 * Healthy = GET /api/v2/monitor/health says metadatabase, scheduler and dag_processor are healthy.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, type Config } from '../../shared/platform/config.ts';
import { ServiceError } from '../../shared/platform/errors.ts';
import type { ServiceContext, ServiceDef, ServiceStatus } from './service.ts';
import { dataDirOf, managedService, startFailure, type ManagedSpec } from './managed.ts';
import { ownedPid, run } from './proc.ts';

export const AIRFLOW_VERSION = '3.3.2';
export const AIRFLOW_USER = 'admin';
export const LOCK_FILE = path.join(ROOT, 'dev', 'stack', 'python', 'airflow-requirements.txt');
export const DAGS_FOLDER = path.join(ROOT, 'airflow', 'dags');

export const venvOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'venv');
export const airflowBin = (ctx: ServiceContext): string => path.join(venvOf(ctx), 'bin', 'airflow');
export const passwordFileOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'password');
const stampOf = (ctx: ServiceContext): string => path.join(venvOf(ctx), '.orderpulse-lock-sha256');
const migratedStampOf = (ctx: ServiceContext): string => path.join(dataDirOf(ctx), '.migrated');
const secretFileOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'secret');
const passwordsJsonOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'simple_auth_manager_passwords.json');

/** The pinned requirements of the lock file: `name==version` lines, comments and blanks dropped. */
export function parseLock(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?==[^=\s]+$/.test(line)) throw new ServiceError('airflow', `${LOCK_FILE}: "${line}" is not an exact pin (name==version); regenerate the file with pip freeze (see its header)`);
    out.push(line);
  }
  if (!out.some((l) => l.toLowerCase() === `apache-airflow==${AIRFLOW_VERSION}`)) throw new ServiceError('airflow', `${LOCK_FILE} does not pin apache-airflow==${AIRFLOW_VERSION}`);
  return out;
}

export const lockDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Python versions Airflow 3.3 supports. */
export function supportedPython(version: string): boolean {
  const m = /^Python (\d+)\.(\d+)/.exec(version.trim());
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major === 3 && minor >= 10 && minor <= 13;
}

async function findPython(): Promise<string> {
  const seen: string[] = [];
  for (const cmd of ['python3.11', 'python3.12', 'python3.10', 'python3.13', 'python3']) {
    const r = await run(cmd, ['--version'], { timeoutMs: 20_000 }).catch(() => undefined);
    if (!r || r.code !== 0) continue;
    const v = (r.stdout + r.stderr).trim();
    seen.push(`${cmd}: ${v}`);
    if (supportedPython(v)) return cmd;
  }
  throw new ServiceError('airflow', `Airflow ${AIRFLOW_VERSION} needs Python 3.10–3.13 with the venv module; found ${seen.length ? seen.join(', ') : 'no python3 on PATH'}. Install one (e.g. apt-get install -y python3 python3-venv), then run npm run stack -- up --all again`);
}

async function install(ctx: ServiceContext): Promise<void> {
  const log = ctx.log.child({ service: 'airflow' });
  const text = fs.readFileSync(LOCK_FILE, 'utf8');
  const pins = parseLock(text);
  const digest = lockDigest(text);
  const stamp = stampOf(ctx);
  if (fs.existsSync(airflowBin(ctx)) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest) return;
  const python = await findPython();
  const venv = venvOf(ctx);
  const t0 = Date.now();
  log.info('installing Airflow into a venv (PyPI, pinned by the lock file; about a minute)…', { venv, packages: pins.length, python });
  fs.rmSync(venv, { recursive: true, force: true });
  const fail = (step: string, r: { code: number; stdout: string; stderr: string }): ServiceError =>
    new ServiceError('airflow', `${step} failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
  const mk = await run(python, ['-m', 'venv', venv], { timeoutMs: 120_000 });
  if (mk.code !== 0) throw fail(`${python} -m venv ${venv} (is python3-venv installed?)`, mk);
  const pip = path.join(venv, 'bin', 'pip');
  const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const r = await run(pip, ['install', '--no-deps', '--no-input', '-q', '-r', LOCK_FILE], { env, timeoutMs: 20 * 60_000 });
  if (r.code !== 0) throw fail(`pip install -r ${LOCK_FILE}`, r);
  const check = await run(pip, ['check'], { env, timeoutMs: 120_000 });
  if (check.code !== 0) throw fail('pip check (the lock file is not a consistent set; regenerate it)', check);
  fs.writeFileSync(stamp, `${digest}\n`);
  log.info('Airflow installed', { ms: Date.now() - t0 });
}

/** The admin password: AIRFLOW_PASSWORD, else the one generated at the first start (.local/airflow/password). */
export function resolvePassword(ctx: ServiceContext): string {
  if (ctx.config.airflowPassword) return ctx.config.airflowPassword;
  const file = passwordFileOf(ctx);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (existing) return existing;
  const pw = randomBytes(12).toString('base64url');
  fs.writeFileSync(file, `${pw}\n`, { mode: 0o600 });
  ctx.log.child({ service: 'airflow' }).info('generated the Airflow admin password', { file });
  return pw;
}

function readOrCreateSecret(file: string): string {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (existing) return existing;
  const s = randomBytes(32).toString('hex');
  fs.writeFileSync(file, `${s}\n`, { mode: 0o600 });
  return s;
}

export interface AirflowEnvInput {
  home: string;
  dataDir: string;
  venvBin: string;
  port: number;
  dagsFolder: string;
  passwordsFile: string;
  secret: string;
  gatewayUrl: string;
  dashboardUrl: string;
  /** The gateway's basic-auth user and password file (the DAGs read it at each task; GATEWAY_PASSWORD in the environment wins). */
  gatewayUser?: string;
  gatewayPasswordFile?: string;
}

/** The environment of every Airflow process (and, through the scheduler, of every task). */
export function airflowEnv(p: AirflowEnvInput, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const base_url = `http://127.0.0.1:${p.port}`;
  return {
    ...base,
    // `airflow` and its task runners find each other on PATH.
    PATH: `${p.venvBin}${path.delimiter}${base.PATH ?? ''}`,
    VIRTUAL_ENV: path.dirname(p.venvBin),
    AIRFLOW_HOME: p.home,
    AIRFLOW__CORE__DAGS_FOLDER: p.dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
    AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
    // The default starts 32 idle workers.
    AIRFLOW__CORE__PARALLELISM: '4',
    AIRFLOW__CORE__AUTH_MANAGER: 'airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${AIRFLOW_USER}:admin`,
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: p.passwordsFile,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(p.dataDir, 'airflow.db')}`,
    AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS: 'False',
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: path.join(p.dataDir, 'logs'),
    AIRFLOW__API__HOST: '127.0.0.1',
    AIRFLOW__API__PORT: String(p.port),
    AIRFLOW__API__WORKERS: '1',
    AIRFLOW__API__BASE_URL: base_url,
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${base_url}/execution/`,
    // One secret for every process: tokens the scheduler signs must verify at the API server.
    AIRFLOW__API_AUTH__JWT_SECRET: p.secret,
    AIRFLOW__API__SECRET_KEY: p.secret,
    // The DAGs' default endpoints (a run's conf `gateway_url` / `dashboard_url` wins).
    AIRFLOW_CONN_ORDERPULSE_GATEWAY: p.gatewayUrl,
    AIRFLOW_CONN_ORDERPULSE_DASHBOARD: p.dashboardUrl,
    ...(p.gatewayPasswordFile ? { GATEWAY_USER: p.gatewayUser ?? 'admin', GATEWAY_PASSWORD_FILE: p.gatewayPasswordFile } : {}),
  };
}

function envOf(ctx: ServiceContext): NodeJS.ProcessEnv {
  const c: Config = ctx.config;
  return airflowEnv({
    home: ctx.dir,
    dataDir: dataDirOf(ctx),
    venvBin: path.join(venvOf(ctx), 'bin'),
    port: c.airflowPort,
    dagsFolder: DAGS_FOLDER,
    passwordsFile: passwordsJsonOf(ctx),
    secret: readOrCreateSecret(secretFileOf(ctx)),
    gatewayUrl: c.gatewayUrl,
    dashboardUrl: `http://127.0.0.1:${c.dashboardPort}`,
    gatewayUser: c.gatewayUser,
    gatewayPasswordFile: c.gatewayPasswordFile,
  });
}

export type ComponentName = 'metadatabase' | 'scheduler' | 'dag_processor';
export type HealthReport = Partial<Record<ComponentName | 'triggerer', { status?: string | null } | undefined>>;

/** The components of GET /api/v2/monitor/health that are not healthy ([] = all we run are healthy). */
export function unhealthyComponents(h: HealthReport, need: readonly ComponentName[] = ['metadatabase', 'scheduler', 'dag_processor']): ComponentName[] {
  return need.filter((c) => h[c]?.status !== 'healthy');
}

async function healthReport(ctx: ServiceContext): Promise<HealthReport | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${ctx.config.airflowPort}/api/v2/monitor/health`, { signal: AbortSignal.timeout(15_000) });
    if (res.status !== 200) return undefined;
    return (await res.json()) as HealthReport;
  } catch {
    return undefined;
  }
}

/** Create or upgrade the metadata database when it is new or was migrated by another Airflow version. */
async function migrate(ctx: ServiceContext, env: NodeJS.ProcessEnv): Promise<void> {
  const stamp = migratedStampOf(ctx);
  const want = `${AIRFLOW_VERSION} ${lockDigest(fs.readFileSync(LOCK_FILE, 'utf8'))}`;
  if (fs.existsSync(path.join(dataDirOf(ctx), 'airflow.db')) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return;
  const log = ctx.log.child({ service: 'airflow' });
  const t0 = Date.now();
  log.info('airflow db migrate…');
  const r = await run(airflowBin(ctx), ['db', 'migrate'], { env, cwd: ctx.dir, timeoutMs: 10 * 60_000 });
  fs.appendFileSync(path.join(ctx.dir, 'airflow.log'), `\n=== ${new Date().toISOString()} airflow db migrate (exit ${r.code})\n${r.stdout}${r.stderr}`);
  if (r.code !== 0) throw startFailure('airflow', path.join(ctx.dir, 'airflow.log'), `airflow db migrate failed (exit ${r.code})`);
  fs.writeFileSync(stamp, `${want}\n`);
  log.info('metadata database ready', { ms: Date.now() - t0 });
}

interface Part {
  name: string;
  command: 'api-server' | 'scheduler' | 'dag-processor';
  /** The health component this process makes healthy (api-server: the database answering through it). */
  component: ComponentName;
}

export const PARTS: readonly Part[] = [
  { name: 'airflow', command: 'api-server', component: 'metadatabase' },
  { name: 'airflow-scheduler', command: 'scheduler', component: 'scheduler' },
  { name: 'airflow-dag-processor', command: 'dag-processor', component: 'dag_processor' },
];

/** In the command line: `…/bin/airflow api-server`, which the API server retitles `airflow api_server -- host:…`. */
export const markerOf = (p: Pick<Part, 'command'>): string => (p.command === 'api-server' ? 'airflow api' : `airflow ${p.command}`);

function partSpec(p: Part): ManagedSpec {
  const isApi = p.command === 'api-server';
  return {
    name: p.name,
    group: 'cold',
    marker: markerOf(p),
    endpoint: (ctx) => `${ctx.config.airflowUrl} (${p.command})`,
    ports: (ctx) => (isApi ? [ctx.config.airflowPort] : []),
    install,
    async prepare(ctx) {
      if (!isApi) return;
      fs.mkdirSync(path.join(dataDirOf(ctx), 'logs'), { recursive: true });
      // Before any process reads it: Airflow only generates passwords for users missing here.
      fs.writeFileSync(passwordsJsonOf(ctx), JSON.stringify({ [AIRFLOW_USER]: resolvePassword(ctx) }), { mode: 0o600 });
      await migrate(ctx, envOf(ctx));
    },
    launch: (ctx) => ({ command: airflowBin(ctx), args: [p.command], env: envOf(ctx), cwd: ctx.dir }),
    async healthy(ctx) {
      const h = await healthReport(ctx);
      if (!h) return false;
      if (isApi) return unhealthyComponents(h, ['metadatabase']).length === 0;
      // A heartbeat stays "healthy" for a while after its process died: require our process too.
      return ownedPid(path.join(ctx.dir, `${p.name}.pid`), markerOf(p)) !== undefined && unhealthyComponents(h, [p.component]).length === 0;
    },
    startTimeoutMs: isApi ? 180_000 : 120_000,
    stopGraceMs: 20_000,
  };
}

const parts = PARTS.map((p) => ({ part: p, svc: managedService(partSpec(p)) }));

async function healthy(ctx: ServiceContext): Promise<boolean> {
  const h = await healthReport(ctx);
  return h !== undefined && unhealthyComponents(h).length === 0;
}

export const airflowService: ServiceDef = {
  name: 'airflow',
  group: 'cold',
  install,
  async start(ctx) {
    // The API server (after migrating) first; the scheduler and the DAG processor report to it.
    const [api, ...rest] = parts;
    if (api) await api.svc.start(ctx);
    await Promise.all(rest.map(({ svc }) => svc.start(ctx)));
    const log = ctx.log.child({ service: 'airflow' });
    log.info('Airflow ready', { url: ctx.config.airflowUrl, user: AIRFLOW_USER, password: ctx.config.airflowPassword ? 'AIRFLOW_PASSWORD' : passwordFileOf(ctx) });
  },
  async stop(ctx) {
    for (const { svc } of [...parts].reverse()) await svc.stop(ctx);
  },
  async status(ctx): Promise<ServiceStatus> {
    const each = await Promise.all(parts.map(({ svc }) => svc.status(ctx)));
    const api = each[0] as ServiceStatus;
    const h = await healthReport(ctx);
    const bad = h ? unhealthyComponents(h) : [];
    const notRunning = each.filter((s) => s.pid === undefined).map((s) => s.name);
    const st: ServiceStatus = {
      name: 'airflow',
      running: each.some((s) => s.running),
      healthy: h !== undefined && bad.length === 0,
      endpoint: ctx.config.airflowUrl,
      logFile: api.logFile,
    };
    if (api.pid !== undefined) st.pid = api.pid;
    const details = [
      ...(notRunning.length > 0 && notRunning.length < each.length ? [`not running: ${notRunning.join(', ')}`] : []),
      ...(h && bad.length > 0 ? [`unhealthy: ${bad.join(', ')}`] : []),
      ...(api.detail ? [api.detail] : []),
    ];
    if (details.length > 0) st.detail = details.join('; ');
    return st;
  },
  healthy: (ctx) => healthy(ctx).catch(() => false),
};
