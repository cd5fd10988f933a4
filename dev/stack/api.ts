/**
 * Programmatic API of the local stack, used by the CLI, the test runner and the demo:
 * stackUp / stackDown / stackStatus / stackReset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../shared/platform/config.ts';
import { OrderPulseError, ServiceError } from '../../shared/platform/errors.ts';
import { createLogger, type Logger } from '../../shared/platform/log.ts';
import type { ServiceContext, ServiceDef, ServiceStatus } from './service.ts';
import { withLock } from './proc.ts';
import { SERVICES, selectServices } from './services.ts';

export interface StackOptions {
  /** Core and cold services. */
  all?: boolean;
  /** Exactly these services (names or aliases); wins over `all`. */
  only?: string[];
  config?: Config;
  log?: Logger;
  registry?: readonly ServiceDef[];
}

export interface UpResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: OrderPulseError;
}

function setup(opts: StackOptions): { config: Config; log: Logger; registry: readonly ServiceDef[] } {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ component: 'stack' });
  return { config, log, registry: opts.registry ?? SERVICES };
}

export function contextFor(svc: ServiceDef, config: Config, log: Logger): ServiceContext {
  const dir = path.join(config.localDir, svc.name);
  fs.mkdirSync(dir, { recursive: true });
  return { config, log, dir };
}

function asServiceError(name: string, e: unknown): OrderPulseError {
  if (e instanceof OrderPulseError) return e;
  return new ServiceError(name, e instanceof Error ? e.message : String(e), { cause: e });
}

/**
 * Install (cached) and start the selected services concurrently; resolves when every one is
 * healthy. Throws a ServiceError naming each failed service and its log (the others keep running).
 */
export async function stackUp(opts: StackOptions = {}): Promise<UpResult[]> {
  const { config, log, registry } = setup(opts);
  const selected = selectServices(registry, opts);
  const results = await Promise.all(
    selected.map(async (svc): Promise<UpResult> => {
      const t0 = Date.now();
      const ctx = contextFor(svc, config, log);
      try {
        await withLock(
          path.join(ctx.dir, 'up.lock'),
          async () => {
            await svc.install(ctx);
            await svc.start(ctx);
          },
          { timeoutMs: 30 * 60_000, onWait: (pid) => log.info('another `stack up` is installing/starting it; waiting', { service: svc.name, pid }) },
        );
        return { name: svc.name, ok: true, ms: Date.now() - t0 };
      } catch (e) {
        return { name: svc.name, ok: false, ms: Date.now() - t0, error: asServiceError(svc.name, e) };
      }
    }),
  );
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 1 && failed[0]?.error) throw failed[0].error;
  if (failed.length > 1) {
    const msg = failed.map((f) => f.error?.message ?? f.name).join('\n');
    throw new ServiceError(failed.map((f) => f.name).join(', '), `${failed.length} services failed to start:\n${msg}`, { details: { failed: failed.map((f) => f.name) } });
  }
  return results;
}

/** Stop every service this stack started (all groups unless `only`), concurrently; idempotent. */
export async function stackDown(opts: StackOptions = {}): Promise<void> {
  const { config, log, registry } = setup(opts);
  const selected = opts.only && opts.only.length > 0 ? selectServices(registry, opts) : [...registry];
  const res = await Promise.allSettled(selected.map((svc) => svc.stop(contextFor(svc, config, log))));
  const errs = res.flatMap((r, i) => (r.status === 'rejected' ? [`${selected[i]?.name}: ${(r.reason as Error).message}`] : []));
  if (errs.length > 0) throw new ServiceError('stack', `could not stop: ${errs.join('; ')}`);
}

/** Status of the selected services (core by default), probed concurrently. */
export async function stackStatus(opts: StackOptions = {}): Promise<ServiceStatus[]> {
  const { config, log, registry } = setup(opts);
  const selected = selectServices(registry, opts);
  return Promise.all(
    selected.map(async (svc) => {
      const ctx = contextFor(svc, config, log);
      try {
        return await svc.status(ctx);
      } catch (e) {
        return { name: svc.name, running: false, healthy: false, endpoint: '?', logFile: path.join(ctx.dir, `${svc.name}.log`), detail: `status failed: ${(e as Error).message}` };
      }
    }),
  );
}

/** What `reset` deletes for a service: its data dir and its log (never the downloaded jars or built binaries). */
export function resetPaths(ctx: ServiceContext, name: string): string[] {
  return [path.join(ctx.dir, 'data'), path.join(ctx.dir, `${name}.log`)];
}

/** The local archive folder, when ARCHIVE_URL is a file:// URL inside .local/ (the default). */
export function localArchiveDir(config: Config): string | undefined {
  if (!config.archiveUrl.startsWith('file:')) return undefined;
  const dir = path.resolve(fileURLToPath(new URL(config.archiveUrl)));
  const root = path.resolve(config.localDir);
  return dir.startsWith(root + path.sep) ? dir : undefined;
}

/** down + delete all local data (service data dirs, logs, the local archive). Jars and binaries stay. */
export async function stackReset(opts: StackOptions = {}): Promise<string[]> {
  await stackDown(opts);
  const { config, log, registry } = setup(opts);
  const selected = opts.only && opts.only.length > 0 ? selectServices(registry, opts) : [...registry];
  const removed: string[] = [];
  const targets = selected.flatMap((svc) => resetPaths(contextFor(svc, config, log), svc.name));
  if (!opts.only || opts.only.length === 0) {
    const archive = localArchiveDir(config);
    if (archive) targets.push(archive);
  }
  for (const p of targets) {
    if (!fs.existsSync(p)) continue;
    fs.rmSync(p, { recursive: true, force: true });
    removed.push(p);
  }
  log.info('reset: local data deleted', { removed });
  return removed;
}
