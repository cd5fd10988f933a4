/**
 * kpi-rebuild (no trigger; one instance): the KPI rebuild job (shared/kpi/rebuild-job.ts).
 * Asked asynchronously by aggregate (POST /async-function/kpi-rebuild) when the counters' epoch
 * marker is missing or stale; re-applies every accepted order (MongoDB orders_fact, then the
 * archive) under the Redis rebuild lease, sets the epoch marker and materialises the views.
 *   POST {force?: boolean}  run the job: {status: 'done' | 'current' | 'busy' | 'aborted', …};
 *                           without force, reconciled counters answer `current` at once
 *   GET                     {epoch, redis_run_id, reconciled, rebuild: last status}
 * SIGTERM aborts a running rebuild between batches (the lease is released; the next request
 * starts over). `npm run kpi:rebuild` runs the same job in-process.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { ValidationError } from '../../shared/platform/errors.ts';
import type { FnEvent } from '../../shared/platform/fn.ts';
import type { Logger } from '../../shared/platform/log.ts';
import type { Config } from '../../shared/platform/config.ts';
import { materialize } from '../../shared/kpi/materialize.ts';
import { runRebuildJob, type RebuildJobResult } from '../../shared/kpi/rebuild-job.ts';
import { RedisKpiStore, leaseToken } from '../../shared/kpi/adapters/redis-store.ts';
import { kpiWriterOptions } from '../../shared/kpi/adapters/open.ts';
import { openRebuildSources } from '../../shared/kpi/adapters/rebuild-sources.ts';

const WHO = 'kpi-rebuild';

interface Clients {
  config: Config;
  store: RedisKpiStore;
  abort: AbortController;
  running: Set<Promise<RebuildJobResult>>;
}

export type RebuildCall = { kind: 'status' } | { kind: 'run'; force: boolean };

/** GET: status; POST: run, `force` from the JSON body or `?force=true` (aggregate's request fields are ignored). */
export function parseRebuildCall(event: Pick<FnEvent, 'method' | 'body' | 'query'>): RebuildCall {
  if (event.method === 'GET') return { kind: 'status' };
  const body = event.body && typeof event.body === 'object' && !Buffer.isBuffer(event.body) ? (event.body as Record<string, unknown>) : {};
  const force = body.force ?? (event.query.force === undefined ? false : event.query.force === 'true' || event.query.force === '1');
  if (typeof force !== 'boolean') throw new ValidationError('invalid_request', `force must be true or false, got ${JSON.stringify(force)}`);
  return { kind: 'run', force };
}

function run(c: Clients, force: boolean, log: Logger): Promise<RebuildJobResult> {
  const job = runRebuildJob(
    {
      store: c.store,
      openSources: () => openRebuildSources(c.config, log),
      materialize: () => materialize(c.store),
      log,
      who: WHO,
      token: () => leaseToken(WHO),
      signal: c.abort.signal,
      progress: () => materialize(c.store),
    },
    { force },
  );
  c.running.add(job);
  return job.finally(() => c.running.delete(job));
}

const fn = defineFunction({
  name: WHO,
  open: (config, log): Clients => ({ config, store: RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-kpi-rebuild', log, kpiWriterOptions(config)), abort: new AbortController(), running: new Set() }),
  parse: (event) => parseRebuildCall(event),
  async handle(call, _ctx, c, log) {
    if (call.kind === 'run') return await run(c, call.force, log);
    const [epoch, id, rebuild] = await Promise.all([c.store.getEpoch(), c.store.serverId(), c.store.getRebuildStatus()]);
    return { epoch, redis_run_id: id, reconciled: epoch === id, rebuild };
  },
  async health(clients) {
    const c = await clients();
    await c.store.ping();
    return { status: 'ok', running: c.running.size };
  },
  async close(c) {
    c.abort.abort();
    await Promise.allSettled([...c.running]);
    await c.store.close();
  },
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
