/**
 * A ServiceDef for "one local process": the common start/stop/status logic shared by
 * Kafka, FerretDB and Redis (and usable by any other local service).
 *
 * Start: already healthy => nothing to do; our process alive but not healthy yet => wait for it;
 * a port taken by something unhealthy => clear error; otherwise prepare config, spawn detached
 * (log + pid file under .local/<name>/), wait for the protocol-level health check, and throw a
 * ServiceError naming the log (with its last lines) when the process dies or the wait times out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../shared/platform/errors.ts';
import type { ServiceContext, ServiceDef, ServiceStatus } from './service.ts';
import { ownedPid, portOpen, spawnDetached, stopPid, tailFile, waitFor, isAlive } from './proc.ts';

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ManagedSpec {
  name: string;
  group: 'core' | 'cold' | 'opt-in';
  /** Text found in the process command line (to recognise our own process behind a pid file). */
  marker: string;
  endpoint(ctx: ServiceContext): string;
  /** TCP ports the service listens on (checked before starting). */
  ports(ctx: ServiceContext): number[];
  install(ctx: ServiceContext): Promise<void>;
  /** Write config files, format storage…; runs before each spawn. */
  prepare?(ctx: ServiceContext): Promise<void>;
  launch(ctx: ServiceContext): LaunchSpec;
  healthy(ctx: ServiceContext): Promise<boolean>;
  /** After the first successful health check of a fresh start (e.g. warm up coordinators). */
  afterStart?(ctx: ServiceContext): Promise<void>;
  startTimeoutMs: number;
  stopGraceMs: number;
}

export const logFileOf = (ctx: ServiceContext, name: string): string => path.join(ctx.dir, `${name}.log`);
export const pidFileOf = (ctx: ServiceContext, name: string): string => path.join(ctx.dir, `${name}.pid`);
export const dataDirOf = (ctx: ServiceContext): string => path.join(ctx.dir, 'data');

/** The error thrown when a service cannot start: names it, its log, and shows the log's end. */
export function startFailure(name: string, logFile: string, why: string, cause?: unknown): ServiceError {
  const tail = tailFile(logFile, 20);
  const shown = tail ? `\n--- last lines of ${logFile} ---\n${tail}\n---\n` : '';
  return new ServiceError(name, `${why}${shown}`, { logFile, cause, retriable: false });
}

export function managedService(spec: ManagedSpec): ServiceDef {
  const { name } = spec;

  async function start(ctx: ServiceContext): Promise<void> {
    const logFile = logFileOf(ctx, name);
    const pidFile = pidFileOf(ctx, name);
    const log = ctx.log.child({ service: name });
    if (await spec.healthy(ctx)) {
      log.info('already running', { endpoint: spec.endpoint(ctx) });
      return;
    }
    let pid = ownedPid(pidFile, spec.marker);
    if (pid === undefined) {
      for (const port of spec.ports(ctx)) {
        if (await portOpen(port)) {
          throw new ServiceError(name, `port ${port} on 127.0.0.1 is taken by a process that does not answer as ${name} and that we did not start; stop it or choose another port (see the *_PORT variables in the README)`, { logFile });
        }
      }
      try {
        fs.mkdirSync(dataDirOf(ctx), { recursive: true });
        await spec.prepare?.(ctx);
      } catch (cause) {
        if (cause instanceof ServiceError) throw cause;
        throw startFailure(name, logFile, `could not prepare: ${(cause as Error).message}`, cause);
      }
      const l = spec.launch(ctx);
      fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} orderpulse stack: starting ${name}: ${l.command} ${l.args.join(' ')}\n`);
      try {
        pid = await spawnDetached({ command: l.command, args: l.args, env: l.env, cwd: l.cwd ?? ctx.dir, logFile, pidFile });
      } catch (cause) {
        throw startFailure(name, logFile, `could not spawn ${l.command}: ${(cause as Error).message}`, cause);
      }
      log.info('starting', { pid, endpoint: spec.endpoint(ctx) });
    } else {
      log.info('process alive but not healthy yet; waiting for it', { pid });
    }
    const thePid = pid;
    const res = await waitFor(() => spec.healthy(ctx), {
      timeoutMs: spec.startTimeoutMs,
      intervalMs: 300,
      abort: () => (isAlive(thePid) ? undefined : `process ${thePid} exited during start-up`),
    });
    if (!res.ok) throw startFailure(name, logFile, res.reason);
    if (spec.afterStart) {
      try {
        await spec.afterStart(ctx);
      } catch (cause) {
        throw startFailure(name, logFile, `started but not ready: ${(cause as Error).message}`, cause);
      }
    }
    log.info('healthy', { pid: thePid, ms: res.ms, endpoint: spec.endpoint(ctx) });
  }

  async function stop(ctx: ServiceContext): Promise<void> {
    const pidFile = pidFileOf(ctx, name);
    const log = ctx.log.child({ service: name });
    const pid = ownedPid(pidFile, spec.marker);
    if (pid === undefined) {
      fs.rmSync(pidFile, { force: true });
      log.debug('not running');
      return;
    }
    log.info('stopping', { pid });
    const killed = await stopPid(pid, spec.stopGraceMs);
    fs.rmSync(pidFile, { force: true });
    // Stopped means the ports are free again (a next `up` binds them): wait, bounded, for the
    // kernel to release them after the process is gone.
    const ports = spec.ports(ctx);
    const released = await waitFor(async () => (await Promise.all(ports.map((p) => portOpen(p)))).every((open) => !open), { timeoutMs: 10_000, intervalMs: 50 });
    if (!released.ok) log.warn('process gone but a port still answers (another process listens there?)', { pid, ports });
    log.info(killed ? 'killed (did not stop within the grace period)' : 'stopped', { pid });
  }

  async function status(ctx: ServiceContext): Promise<ServiceStatus> {
    const pid = ownedPid(pidFileOf(ctx, name), spec.marker);
    const healthy = await spec.healthy(ctx).catch(() => false);
    const st: ServiceStatus = {
      name,
      running: pid !== undefined || healthy,
      healthy,
      endpoint: spec.endpoint(ctx),
      logFile: logFileOf(ctx, name),
    };
    if (pid !== undefined) st.pid = pid;
    if (pid === undefined && healthy) st.detail = 'answers, but was not started by this stack';
    if (pid !== undefined && !healthy) st.detail = 'process alive but not answering';
    return st;
  }

  return {
    name,
    group: spec.group,
    install: (ctx) => spec.install(ctx),
    start,
    stop,
    status,
    healthy: (ctx) => spec.healthy(ctx).catch(() => false),
  };
}
