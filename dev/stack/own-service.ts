/**
 * A private instance of a local stack service (Kafka, FerretDB or Redis) for fault tests and
 * benchmarks that stop and restart it: free ports, its own data dir under .local/tmp/, the same
 * service code as `npm run stack` (dev/stack/kafka.ts, ferretdb.ts, redis.ts) and the same
 * installed binaries (Kafka's jars from .local/kafka/libs are linked, not downloaded again; the
 * FerretDB binary is .local/bin/ferretdb). The shared stack is never touched.
 *
 * `env` holds the variables that point a pipeline (shared/platform/config.ts) at this instance.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../shared/platform/config.ts';
import type { Logger } from '../../shared/platform/log.ts';
import { freePort } from '../testing/free-port.ts';
import { kafkaService } from './kafka.ts';
import { ferretdbService } from './ferretdb.ts';
import { redisService } from './redis.ts';
import { postgresService } from './postgres.ts';
import type { ServiceContext, ServiceDef } from './service.ts';

export const OWN_SERVICES = ['kafka', 'ferretdb', 'redis', 'postgres'] as const;
export type OwnServiceName = (typeof OWN_SERVICES)[number];

export interface OwnService {
  name: OwnServiceName;
  /** Configuration overrides pointing clients at this instance (KAFKA_*, MONGO_*, REDIS_*). */
  env: Record<string, string>;
  ctx: ServiceContext;
  start(): Promise<void>;
  /** Clean stop (SIGTERM, SIGKILL after the service's grace time); data stays. */
  stop(): Promise<void>;
  /** Stop, then start again: the time each took. */
  restart(): Promise<{ stopMs: number; startMs: number }>;
  /** Stop and delete its data dir. */
  close(): Promise<void>;
}

const SERVICES: Record<OwnServiceName, ServiceDef> = { kafka: kafkaService, ferretdb: ferretdbService, redis: redisService, postgres: postgresService };

async function ownConfig(name: OwnServiceName, base: Config): Promise<{ config: Config; env: Record<string, string> }> {
  if (name === 'kafka') {
    const kafkaPort = await freePort();
    const kafkaControllerPort = await freePort();
    const brokers = `127.0.0.1:${kafkaPort}`;
    return { config: { ...base, kafkaPort, kafkaControllerPort, kafkaBrokers: [brokers] }, env: { KAFKA_PORT: String(kafkaPort), KAFKA_CONTROLLER_PORT: String(kafkaControllerPort), KAFKA_BROKERS: brokers } };
  }
  if (name === 'ferretdb') {
    const mongoPort = await freePort();
    const mongoUrl = `mongodb://127.0.0.1:${mongoPort}/`;
    // The service runs the local FerretDB (mongoExternal false); clients get the explicit URL.
    return { config: { ...base, mongoPort, mongoExternal: false, mongoUrl }, env: { MONGO_PORT: String(mongoPort), MONGO_URL: mongoUrl } };
  }
  if (name === 'postgres') {
    const postgresPort = await freePort();
    return { config: { ...base, postgresPort }, env: { POSTGRES_PORT: String(postgresPort) } };
  }
  const redisPort = await freePort();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  return { config: { ...base, redisPort, redisUrl }, env: { REDIS_PORT: String(redisPort), REDIS_URL: redisUrl } };
}

/**
 * Install (cached) and start a private `name` instance; `base` gives .local/ and the installed
 * binaries. A FerretDB with `base.ferretdbBackend` = postgresql gets its own PostgreSQL too
 * (stopped and deleted with it).
 */
export async function startOwnService(name: OwnServiceName, base: Config, log: Logger): Promise<OwnService> {
  const svc = SERVICES[name];
  const pg = name === 'ferretdb' && base.ferretdbBackend === 'postgresql' ? await startOwnService('postgres', base, log) : undefined;
  const own = await startOwn(name, svc, pg ? { ...base, postgresPort: pg.ctx.config.postgresPort } : base, log).catch(async (e: unknown) => {
    await pg?.close();
    throw e;
  });
  if (!pg) return own;
  return {
    ...own,
    env: { ...own.env, ...pg.env },
    async close() {
      await own.close();
      await pg.close();
    },
  };
}

async function startOwn(name: OwnServiceName, svc: ServiceDef, base: Config, log: Logger): Promise<OwnService> {
  const { config, env } = await ownConfig(name, base);
  const tmp = path.join(base.localDir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const dir = fs.mkdtempSync(path.join(tmp, `own-${name}-`));
  if (name === 'kafka') {
    const libs = path.join(base.localDir, 'kafka', 'libs');
    if (fs.existsSync(path.join(libs, '.complete'))) fs.symlinkSync(fs.realpathSync(libs), path.join(dir, 'libs'));
  }
  const ctx: ServiceContext = { config, log: log.child({ own: name }), dir };
  const own: OwnService = {
    name,
    env,
    ctx,
    start: () => svc.start(ctx),
    stop: () => svc.stop(ctx),
    async restart() {
      const t0 = Date.now();
      await svc.stop(ctx);
      const t1 = Date.now();
      await svc.start(ctx);
      return { stopMs: t1 - t0, startMs: Date.now() - t1 };
    },
    async close() {
      await svc.stop(ctx).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await svc.install(ctx);
    await svc.start(ctx);
  } catch (e) {
    await own.close();
    throw e;
  }
  return own;
}
