/**
 * MongoDB wire protocol for local runs: FerretDB v1.24.2 on its SQLite backend (default) or its
 * PostgreSQL backend (FERRETDB_BACKEND=postgresql: dev/stack/postgres.ts, started first), built from the
 * Go module proxy into .local/bin/ferretdb (cached: the binary must report v1.24.2).
 * When MONGO_URL is set (config.mongoExternal), nothing is installed or started: status pings it.
 *
 * Build note: Go ≥ 1.24 stamps a tool built from a dependency with FerretDB as its main module,
 * and FerretDB then requires build/version/version.txt, which the module zip does not contain
 * (`--version` panics). So we copy the module from the module cache, write that file, and build
 * the copy: the documented alternative to `bin/task gen-version`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../shared/platform/config.ts';
import { ServiceError } from '../../shared/platform/errors.ts';
import { connectMongo } from '../../shared/adapters/mongo.ts';
import type { ServiceContext, ServiceDef } from './service.ts';
import { managedService, dataDirOf, logFileOf } from './managed.ts';
import { onPath, portOpen, run } from './proc.ts';
import { postgresService, postgresUrl } from './postgres.ts';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';

export const ferretdbBinary = (config: Config): string => path.join(config.localDir, 'bin', 'ferretdb');
const buildDir = (config: Config): string => path.join(config.localDir, 'ferretdb-build');

export function ferretdbArgs(opts: { dataDir: string; stateDir: string; port: number; backend?: 'sqlite' | 'postgresql'; postgresqlUrl?: string }): string[] {
  const store = opts.backend === 'postgresql' ? ['--handler=postgresql', `--postgresql-url=${opts.postgresqlUrl ?? ''}`] : ['--handler=sqlite', `--sqlite-url=file:${opts.dataDir.replace(/\/?$/, '/')}`];
  return [
    ...store,
    `--listen-addr=127.0.0.1:${opts.port}`,
    `--state-dir=${opts.stateDir}`,
    '--telemetry=disable',
    '--debug-addr=127.0.0.1:0',
    '--log-level=warn',
  ];
}

/** Hide credentials when showing a MongoDB URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]+)@/, '//***@');
}

async function installedVersionOk(bin: string): Promise<boolean> {
  if (!fs.existsSync(bin)) return false;
  const r = await run(bin, ['--version'], { timeoutMs: 20_000 }).catch(() => undefined);
  return r !== undefined && r.code === 0 && r.stdout.includes(`version: ${FERRETDB_VERSION}`);
}

async function goStep(args: string[], cwd: string, what: string): Promise<string> {
  const r = await run('go', args, { cwd, timeoutMs: 20 * 60_000, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (r.code !== 0) {
    const out = (r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n');
    throw new ServiceError('ferretdb', `${what} failed (go ${args.join(' ')}, exit ${r.code}):\n${out}`);
  }
  return r.stdout;
}

async function install(ctx: ServiceContext): Promise<void> {
  if (ctx.config.mongoExternal) return;
  const log = ctx.log.child({ service: 'ferretdb' });
  const bin = ferretdbBinary(ctx.config);
  if (await installedVersionOk(bin)) return;
  if (!(await onPath('go'))) throw new ServiceError('ferretdb', 'the Go toolchain (go ≥ 1.24) is needed to build FerretDB; install it, or set MONGO_URL to use a MongoDB server instead');
  const dir = buildDir(ctx.config);
  fs.mkdirSync(dir, { recursive: true });
  const gomod = path.join(dir, 'go.mod');
  if (!fs.existsSync(gomod)) fs.writeFileSync(gomod, 'module orderpulse.local/ferretdb-build\n\ngo 1.24\n');
  const t0 = Date.now();
  log.info(`downloading FerretDB ${FERRETDB_VERSION} from the Go module proxy…`);
  await goStep(['get', '-tool', `${MODULE}/cmd/ferretdb@${FERRETDB_VERSION}`], dir, 'go get');
  const modDir = (await goStep(['list', '-m', '-f', '{{.Dir}}', MODULE], dir, 'go list')).trim();
  if (!modDir || !fs.existsSync(modDir)) throw new ServiceError('ferretdb', `module ${MODULE} was not found in the module cache (go list gave "${modDir}")`);
  const src = path.join(dir, 'src');
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(modDir, src, { recursive: true });
  const chmod = await run('chmod', ['-R', 'u+w', src]);
  if (chmod.code !== 0) throw new ServiceError('ferretdb', `chmod of ${src} failed: ${chmod.stderr}`);
  fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  log.info(`building FerretDB ${FERRETDB_VERSION} (a few minutes the first time)…`);
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  await goStep(['build', '-buildvcs=false', '-o', bin, './cmd/ferretdb'], src, 'go build');
  if (!(await installedVersionOk(bin))) throw new ServiceError('ferretdb', `built ${bin} but it does not report ${FERRETDB_VERSION} (${bin} --version)`);
  log.info('FerretDB built', { bin, ms: Date.now() - t0 });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function ping(config: Config): Promise<boolean> {
  const h = await withTimeout(connectMongo(config, 'admin'), 12_000).catch(() => undefined);
  if (!h) return false;
  try {
    const r = await withTimeout(h.db.command({ ping: 1 }), 5_000);
    return r.ok === 1;
  } catch {
    return false;
  } finally {
    await h.close().catch(() => undefined);
  }
}

async function localHealthy(ctx: ServiceContext): Promise<boolean> {
  // A closed port fails fast here; the driver's server selection would wait 10 s.
  if (!(await portOpen(ctx.config.mongoPort))) return false;
  return ping({ ...ctx.config, mongoUrl: `mongodb://127.0.0.1:${ctx.config.mongoPort}/` });
}

const local = managedService({
  name: 'ferretdb',
  group: 'core',
  marker: 'ferretdb',
  endpoint: (ctx) => `mongodb://127.0.0.1:${ctx.config.mongoPort}/`,
  ports: (ctx) => [ctx.config.mongoPort],
  install,
  prepare: async (ctx) => {
    fs.mkdirSync(path.join(ctx.dir, 'state'), { recursive: true });
  },
  launch: (ctx) => ({
    command: ferretdbBinary(ctx.config),
    args: ferretdbArgs({ dataDir: dataDirOf(ctx), stateDir: path.join(ctx.dir, 'state'), port: ctx.config.mongoPort, backend: ctx.config.ferretdbBackend, postgresqlUrl: postgresUrl(ctx.config) }),
  }),
  healthy: localHealthy,
  startTimeoutMs: 60_000,
  stopGraceMs: 15_000,
});

/** FerretDB, or — when MONGO_URL is set — a stand-in that only checks the external server. */
export const ferretdbService: ServiceDef = {
  name: 'ferretdb',
  group: 'core',
  install: (ctx) => (ctx.config.mongoExternal ? Promise.resolve() : local.install(ctx)),
  async start(ctx) {
    if (!ctx.config.mongoExternal) {
      // The PostgreSQL backend needs its server first (already running: nothing to do).
      if (ctx.config.ferretdbBackend === 'postgresql') {
        const pgCtx = { ...ctx, dir: path.join(ctx.config.localDir, 'postgres') };
        await postgresService.install(pgCtx);
        await postgresService.start(pgCtx);
      }
      return local.start(ctx);
    }
    if (await ping(ctx.config)) {
      ctx.log.info('using the MongoDB server from MONGO_URL', { service: 'ferretdb', url: redactUrl(ctx.config.mongoUrl) });
      return;
    }
    throw new ServiceError('ferretdb', `MONGO_URL=${redactUrl(ctx.config.mongoUrl)} does not answer ping; start that server or unset MONGO_URL to use the local FerretDB`);
  },
  stop: (ctx) => (ctx.config.mongoExternal ? Promise.resolve() : local.stop(ctx)),
  async status(ctx) {
    if (!ctx.config.mongoExternal) return local.status(ctx);
    const ok = await ping(ctx.config);
    return { name: 'ferretdb', running: ok, healthy: ok, endpoint: redactUrl(ctx.config.mongoUrl), logFile: logFileOf(ctx, 'ferretdb'), detail: 'external MongoDB (MONGO_URL)' };
  },
  healthy: (ctx) => (ctx.config.mongoExternal ? ping(ctx.config) : local.healthy(ctx)),
};
