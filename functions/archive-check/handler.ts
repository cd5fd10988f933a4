/**
 * archive-check (cron): reads the hot store's size and, above ARCHIVE_THRESHOLD_MB, asks
 * archive-move asynchronously (POST /async-function/archive-move {orders}) to bring it under the
 * low-water mark. GET answers the last reading {size_mb, threshold_mb, low_water_mb, decision, at, …}.
 * Thin: parse, call shared/archive/check.ts, answer. Clients are created once per process.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { NotFoundError } from '../../shared/platform/errors.ts';
import { runCheck } from '../../shared/archive/check.ts';
import { openArchiveRuntime } from '../../shared/archive/adapters/open.ts';

const fn = defineFunction({
  name: 'archive-check',
  open: (config, log) => openArchiveRuntime(config, { log }),
  parse: (event) => (event.method === 'GET' ? ('status' as const) : ('check' as const)),
  async handle(request, _ctx, rt) {
    if (request === 'check') return await runCheck(rt.checkDeps(), rt.checkOptions());
    const last = await rt.status.load();
    if (!last) throw new NotFoundError('archive-check has not run yet (the cron connector invokes it on schedule; POST to run it now)');
    return last;
  },
  close: (rt) => rt.close(),
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
