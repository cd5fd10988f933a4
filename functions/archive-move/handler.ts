/**
 * archive-move: POST {orders: N, max_batch?: M} resumes any in-flight batch, then archives up to N
 * of the oldest orders (freeze → write → verify → register → delete; shared/archive/move.ts).
 * Invoked asynchronously by archive-check; answers {status: 'busy'} when another move runs.
 * GET lists the batches not yet deleted and the latest finished ones (without their id lists).
 */
import { loadConfig } from '../../shared/platform/config.ts';
import { ValidationError, errorBody, httpStatusOf } from '../../shared/platform/errors.ts';
import type { FnContext, FnEvent } from '../../shared/platform/fn.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { MIB } from '../../shared/archive/check.ts';
import { runMove } from '../../shared/archive/move.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../../shared/archive/adapters/open.ts';
import type { BatchManifest } from '../../shared/archive/manifest.ts';

const log = createLogger({ fn: 'archive-move' });
let runtime: Promise<ArchiveRuntime> | undefined;

function getRuntime(): Promise<ArchiveRuntime> {
  runtime ??= openArchiveRuntime(loadConfig(), { log }).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return runtime;
}

export interface MoveRequest {
  orders: number;
  maxBatch?: number;
  untilBelowMb?: number;
}

/**
 * `{orders?: int ≥ 0, max_batch?: int ≥ 1, until_below_mb?: number ≥ 0}`; an empty body means
 * "resume in-flight batches only". until_below_mb (sent by archive-check: its low-water mark)
 * stops new batches once the hot store is that small.
 */
export function parseMoveRequest(body: unknown, query: Record<string, string> = {}): MoveRequest {
  const src: Record<string, unknown> = body && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as Record<string, unknown>) : {};
  const pick = (name: string): unknown => src[name] ?? (query[name] === undefined ? undefined : Number(query[name]));
  const orders = pick('orders') ?? 0;
  if (typeof orders !== 'number' || !Number.isSafeInteger(orders) || orders < 0) throw new ValidationError('invalid_request', `orders must be an integer ≥ 0, got ${JSON.stringify(orders)}`);
  const maxBatch = pick('max_batch');
  if (maxBatch !== undefined && (typeof maxBatch !== 'number' || !Number.isSafeInteger(maxBatch) || maxBatch < 1)) throw new ValidationError('invalid_request', `max_batch must be an integer ≥ 1, got ${JSON.stringify(maxBatch)}`);
  const until = pick('until_below_mb');
  if (until !== undefined && (typeof until !== 'number' || !Number.isFinite(until) || until < 0)) throw new ValidationError('invalid_request', `until_below_mb must be a number ≥ 0, got ${JSON.stringify(until)}`);
  return { orders, ...(maxBatch === undefined ? {} : { maxBatch }), ...(until === undefined ? {} : { untilBelowMb: until }) };
}

function summary(b: BatchManifest): Record<string, unknown> {
  const { ids: _ids, history, ...rest } = b;
  return { ...rest, history: history.map((h) => `${h.step}@${new Date(h.at).toISOString()}`) };
}

export default async function handle(event: FnEvent, context: FnContext): Promise<unknown> {
  try {
    if (event.method === 'GET') {
      const rt = await getRuntime();
      const all = await rt.manifests.list();
      return { in_flight: all.filter((b) => b.step !== 'deleted').map(summary), recent: all.filter((b) => b.step === 'deleted').slice(-10).map(summary), lease: (await rt.lock.holder()) ?? null };
    }
    const req = parseMoveRequest(event.body, event.query);
    const rt = await getRuntime();
    return await runMove(rt.moveDeps(), {
      orders: req.orders,
      maxBatch: Math.min(req.maxBatch ?? rt.config.archiveMaxBatch, rt.config.archiveMaxBatch),
      ...(req.untilBelowMb === undefined ? {} : { untilBelowBytes: req.untilBelowMb * MIB }),
    });
  } catch (err) {
    const status = httpStatusOf(err);
    log[status >= 500 ? 'error' : 'warn']('archive-move failed', { status, err });
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
