/**
 * What the detectors read of an accepted order: event time, payment method and outcome, and
 * the flash-sale campaign when the order carries one (the generator tags sale orders with an
 * extra top-level `campaign` field, kept by ingest). Pure.
 */
export interface OrderSignal {
  ts: number;
  method: string;
  failed: boolean;
  campaign: string | null;
}

/** The signal of one accepted message value, or null (with why) when it is not a usable order. */
export function signalOf(value: Buffer | string | null): { ok: true; signal: OrderSignal } | { ok: false; error: string } {
  if (value === null) return { ok: false, error: 'empty value (tombstone)' };
  let o: unknown;
  try {
    o = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (o === null || typeof o !== 'object') return { ok: false, error: 'not an object' };
  const r = o as { order_timestamp?: unknown; payment?: { method?: unknown; status?: unknown }; campaign?: unknown };
  const ts = typeof r.order_timestamp === 'string' ? Date.parse(r.order_timestamp) : Number.NaN;
  if (!Number.isFinite(ts)) return { ok: false, error: 'order_timestamp missing or not a time' };
  const method = r.payment?.method;
  const status = r.payment?.status;
  if (typeof method !== 'string' || method === '') return { ok: false, error: 'payment.method missing' };
  if (status !== 'success' && status !== 'failed') return { ok: false, error: 'payment.status must be success|failed' };
  const campaign = typeof r.campaign === 'string' && r.campaign !== '' ? r.campaign.slice(0, 64) : null;
  return { ok: true, signal: { ts, method, failed: status === 'failed', campaign } };
}
