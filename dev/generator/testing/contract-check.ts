/**
 * A small, independent check of the event contract (docs/contracts.md §2), for the generator's tests
 * only. The pipeline's validator lives elsewhere; this one is written separately on purpose so
 * the two can catch each other's mistakes. Returns the list of violations (empty = valid).
 */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const STATUSES = ['completed', 'pending', 'cancelled'];
const SEGMENTS = ['premium', 'regular', 'budget'];
const METHODS = ['credit_card', 'debit_card', 'paypal', 'crypto'];
const PAY_STATUSES = ['success', 'failed'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const money = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0 && Math.abs(v * 100 - Math.round(v * 100)) < 1e-6;

function dollarKeys(v: unknown, path: string, out: string[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => dollarKeys(x, `${path}[${i}]`, out));
  else if (isObj(v))
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) out.push(`${path}.${k}: $-prefixed key`);
      dollarKeys(x, `${path}.${k}`, out);
    }
}

export function contractViolations(bytes: string | Buffer): string[] {
  const out: string[] = [];
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (buf.length > 64 * 1024) out.push('oversize');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return [...out, 'not UTF-8'];
  }
  let e: unknown;
  try {
    e = JSON.parse(text);
  } catch {
    return [...out, 'not JSON'];
  }
  if (!isObj(e)) return [...out, 'not an object'];
  dollarKeys(e, '$', out);
  if (!nonEmpty(e.order_id) || (e.order_id as string).length > 64) out.push('order_id');
  if (typeof e.order_timestamp !== 'string' || !ISO_UTC.test(e.order_timestamp) || !Number.isFinite(Date.parse(e.order_timestamp))) out.push('order_timestamp');
  if (!Number.isInteger(e.quantity) || (e.quantity as number) < 1) out.push('quantity');
  for (const f of ['unit_price', 'shipping_cost', 'tax_amount', 'total_amount']) if (!money(e[f])) out.push(f);
  if (out.length === 0) {
    const expect = (e.quantity as number) * (e.unit_price as number) + (e.shipping_cost as number) + (e.tax_amount as number);
    if (Math.abs(expect - (e.total_amount as number)) > 0.01 + 1e-9) out.push(`total_amount ${String(e.total_amount)} != ${expect}`);
  }
  if (!STATUSES.includes(e.order_status as string)) out.push('order_status');
  const c = e.customer;
  if (!isObj(c) || !nonEmpty(c.customer_id) || !SEGMENTS.includes(c.segment as string) || typeof c.state !== 'string' || !/^[A-Z]{2}$/.test(c.state) || !nonEmpty(c.city)) out.push('customer');
  const p = e.product;
  if (!isObj(p) || !nonEmpty(p.product_id) || !nonEmpty(p.name) || !nonEmpty(p.category)) out.push('product');
  const pay = e.payment;
  if (!isObj(pay) || !nonEmpty(pay.payment_id) || !METHODS.includes(pay.method as string) || !PAY_STATUSES.includes(pay.status as string) || typeof pay.processing_ms !== 'number' || !Number.isFinite(pay.processing_ms) || pay.processing_ms < 0) out.push('payment');
  return out;
}
