/**
 * archive-move: POST {orders: N, max_batch?: M} resumes any in-flight batch, then archives up to N
 * of the oldest orders (freeze → write → verify → register → delete; shared/archive/move.ts).
 * Invoked asynchronously by archive-check; answers {status: 'busy'} when another move runs.
 * GET lists the batches not yet deleted and the latest finished ones (without their id lists).
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { ValidationError } from '../../shared/platform/errors.ts';
import { MIB } from '../../shared/archive/check.ts';
import { runMove } from '../../shared/archive/move.ts';
import { openArchiveRuntime } from '../../shared/archive/adapters/open.ts';
import type { BatchManifest } from '../../shared/archive/manifest.ts';
import { archiveMetrics, processRegistry } from '../../shared/platform/metrics.ts';

/** orderpulse_archive_* (served on /_/metrics). */
const metrics = archiveMetrics(processRegistry());

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

const fn = defineFunction({
  name: 'archive-move',
  open: (config, log) => openArchiveRuntime(config, { log }),
  parse: (event) => (event.method === 'GET' ? ('list' as const) : parseMoveRequest(event.body, event.query)),
  async handle(request, _ctx, rt) {
    if (request === 'list') {
      const all = await rt.manifests.list();
      return { in_flight: all.filter((b) => b.step !== 'deleted').map(summary), recent: all.filter((b) => b.step === 'deleted').slice(-10).map(summary), lease: (await rt.lock.holder()) ?? null };
    }
    const result = await runMove(rt.moveDeps(), {
      hooks: { afterStep: (b) => metrics.step(b.step) },
      orders: request.orders,
      maxBatch: Math.min(request.maxBatch ?? rt.config.archiveMaxBatch, rt.config.archiveMaxBatch),
      ...(request.untilBelowMb === undefined ? {} : { untilBelowBytes: request.untilBelowMb * MIB }),
    });
    for (const b of result.batches) metrics.batch(b);
    return result;
  },
  close: (rt) => rt.close(),
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
