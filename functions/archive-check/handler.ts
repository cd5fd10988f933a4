/**
 * archive-check (cron): reads the hot store's size and, above ARCHIVE_THRESHOLD_MB, asks
 * archive-move asynchronously (POST /async-function/archive-move {orders}) to bring it under the
 * low-water mark. GET answers the last reading {size_mb, threshold_mb, low_water_mb, decision, at, …}.
 * Thin: parse, call shared/archive/check.ts, map errors. Clients are created once per process.
 */
import { loadConfig } from '../../shared/platform/config.ts';
import { NotFoundError, errorBody, httpStatusOf } from '../../shared/platform/errors.ts';
import type { FnContext, FnEvent } from '../../shared/platform/fn.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { runCheck } from '../../shared/archive/check.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../../shared/archive/adapters/open.ts';

const log = createLogger({ fn: 'archive-check' });
let runtime: Promise<ArchiveRuntime> | undefined;

function getRuntime(): Promise<ArchiveRuntime> {
  runtime ??= openArchiveRuntime(loadConfig(), { log }).catch((err: unknown) => {
    runtime = undefined; // the next invocation tries again
    throw err;
  });
  return runtime;
}

export default async function handle(event: FnEvent, context: FnContext): Promise<unknown> {
  try {
    const rt = await getRuntime();
    if (event.method === 'GET') {
      const last = await rt.status.load();
      if (!last) throw new NotFoundError('archive-check has not run yet (the cron connector invokes it on schedule; POST to run it now)');
      return last;
    }
    return await runCheck(rt.checkDeps(), rt.checkOptions());
  } catch (err) {
    const status = httpStatusOf(err);
    log[status >= 500 ? 'error' : 'warn']('archive-check failed', { status, err });
    context.status(status);
    return errorBody(err);
  }
}

export async function shutdown(): Promise<void> {
  const pending = runtime;
  runtime = undefined;
  const rt = await pending?.catch(() => undefined);
  await rt?.close();
}
