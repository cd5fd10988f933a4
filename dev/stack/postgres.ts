/**
 * PostgreSQL from Debian (`postgresql`, installed with apt-get like redis-server), run as our own
 * cluster (not the system service) for FerretDB's PostgreSQL backend (FERRETDB_BACKEND=postgresql):
 * data, socket and log under .local/postgres/, listening on 127.0.0.1:POSTGRES_PORT only, trust
 * authentication for local connections (a development cluster; nothing else can reach it), one
 * database `ferretdb`. PostgreSQL refuses to run as root: as root, initdb and the server run as
 * the `postgres` user the package creates (setpriv; the data directory is chowned to it).
 * Ready when `pg_isready` answers and the `ferretdb` database exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../shared/platform/errors.ts';
import type { Config } from '../../shared/platform/config.ts';
import type { ServiceContext, ServiceDef } from './service.ts';
import { managedService, dataDirOf, logFileOf } from './managed.ts';
import { run } from './proc.ts';
import { ensureAptPackages } from './apt.ts';

/** Debian 12's PostgreSQL (the `postgresql` metapackage installs this major version). */
export const POSTGRES_MAJOR = 15;
export const POSTGRES_DB = 'ferretdb';
const BIN = `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`;
const RUN_AS = 'postgres';

/** The PostgreSQL URL FerretDB's `--postgresql-url` gets. */
export function postgresUrl(config: Pick<Config, 'postgresPort'>): string {
  return `postgres://${RUN_AS}@127.0.0.1:${config.postgresPort}/${POSTGRES_DB}`;
}

/** Server arguments: our data dir, 127.0.0.1 and our port only, the socket in our dir. */
export function postgresArgs(opts: { dataDir: string; socketDir: string; port: number }): string[] {
  return ['-D', opts.dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${opts.socketDir}`, '-c', 'max_connections=200'];
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** `command args` as the postgres user when we are root (PostgreSQL refuses root), else as is. */
export function asServerUser(command: string, args: string[], root = isRoot()): { command: string; args: string[] } {
  return root ? { command: 'setpriv', args: [`--reuid=${RUN_AS}`, `--regid=${RUN_AS}`, '--init-groups', '--', command, ...args] } : { command, args };
}

async function ids(): Promise<{ uid: number; gid: number }> {
  const [u, g] = await Promise.all([run('id', ['-u', RUN_AS]), run('id', ['-g', RUN_AS])]);
  if (u.code !== 0 || g.code !== 0) throw new ServiceError('postgres', `user ${RUN_AS} not found (the Debian package creates it: apt-get install -y postgresql)`);
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

const socketDirOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'sock');

async function install(ctx: ServiceContext): Promise<void> {
  await ensureAptPackages([{ bin: `${BIN}/postgres`, pkg: 'postgresql' }], ctx.log.child({ service: 'postgres' }));
}

/** Own the data and socket dirs (as root: chown to postgres) and initdb once. */
async function prepare(ctx: ServiceContext): Promise<void> {
  const data = dataDirOf(ctx);
  const sock = socketDirOf(ctx);
  fs.mkdirSync(data, { recursive: true, mode: 0o700 });
  fs.mkdirSync(sock, { recursive: true });
  if (isRoot()) {
    // The server user must reach its dirs (a private instance's dir is made 0700 by mkdtemp).
    fs.chmodSync(ctx.dir, 0o755);
    const { uid, gid } = await ids();
    for (const d of [data, sock]) fs.chownSync(d, uid, gid);
  }
  fs.chmodSync(data, 0o700);
  if (fs.existsSync(path.join(data, 'PG_VERSION'))) return;
  const init = asServerUser(`${BIN}/initdb`, ['-D', data, '-U', RUN_AS, '--auth=trust', '--encoding=UTF8', '--locale=C']);
  const r = await run(init.command, init.args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new ServiceError('postgres', `initdb failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().split('\n').slice(-10).join('\n')}`, { logFile: logFileOf(ctx, 'postgres') });
}

async function isReady(port: number): Promise<boolean> {
  const r = await run(`${BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port), '-t', '2'], { timeoutMs: 5_000 }).catch(() => undefined);
  return r?.code === 0;
}

async function psql(port: number, sql: string): Promise<{ code: number; out: string }> {
  const r = await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', RUN_AS, '-d', 'postgres', '-tAc', sql], { timeoutMs: 30_000 });
  return { code: r.code, out: (r.stdout + r.stderr).trim() };
}

async function hasDb(port: number): Promise<boolean> {
  const r = await psql(port, `SELECT 1 FROM pg_database WHERE datname = '${POSTGRES_DB}'`).catch(() => ({ code: 1, out: '' }));
  return r.code === 0 && r.out === '1';
}

async function ensureDb(ctx: ServiceContext): Promise<void> {
  const port = ctx.config.postgresPort;
  if (await hasDb(port)) return;
  const r = await psql(port, `CREATE DATABASE ${POSTGRES_DB}`);
  if (r.code !== 0 && !(await hasDb(port))) throw new ServiceError('postgres', `could not create database ${POSTGRES_DB}: ${r.out}`, { logFile: logFileOf(ctx, 'postgres') });
}

const local = managedService({
  name: 'postgres',
  group: 'opt-in',
  marker: `postgresql/${POSTGRES_MAJOR}/bin/postgres`,
  endpoint: (ctx) => postgresUrl(ctx.config),
  ports: (ctx) => [ctx.config.postgresPort],
  install,
  prepare,
  launch: (ctx) => asServerUser(`${BIN}/postgres`, postgresArgs({ dataDir: dataDirOf(ctx), socketDir: socketDirOf(ctx), port: ctx.config.postgresPort })),
  healthy: (ctx) => isReady(ctx.config.postgresPort),
  afterStart: ensureDb,
  startTimeoutMs: 60_000,
  stopGraceMs: 30_000,
});

/**
 * PostgreSQL for FerretDB's PostgreSQL backend. Not part of `up` by itself: the FerretDB service
 * starts it first when FERRETDB_BACKEND=postgresql (or `npm run stack -- up --only postgres`).
 */
export const postgresService: ServiceDef = {
  ...local,
  async start(ctx) {
    await local.start(ctx);
    await ensureDb(ctx); // also when the server was running already
  },
};
