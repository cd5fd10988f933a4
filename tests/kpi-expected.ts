/**
 * An INDEPENDENT reimplementation of the KPI contract (docs/contracts.md §4) for tests: a plain fold over
 * the accepted events, written from the contract text, sharing no code with shared/kpi.
 * Conventions it fixes (documented in docs/kpis.md): money summed in integer cents; aov and
 * per-segment aov = round-half-up(revenue cents / paid orders) / 100; avg_processing_ms =
 * round(Σ round(ms×1000) / attempts / 10) / 100; product name/category from the earliest
 * (order_timestamp, order_id) order; payments and segments in the contract's enum order.
 */
import type { OrderEvent } from '../shared/contract/types.ts';

export interface ExpectedKpis {
  summary: { orders: number; paid_orders: number; revenue: number; aov: number; unique_customers: number; payment_success_rate: number };
  revenue_per_minute: { minute: string; orders: number; revenue: number }[];
  top_products: { product_id: string; name: string; category: string; quantity: number; revenue: number }[];
  orders_by_state: { state: string; orders: number; revenue: number }[];
  payments: { method: string; attempts: number; success: number; failed: number; success_rate: number; avg_processing_ms: number }[];
  segments: { segment: string; orders: number; revenue: number; unique_customers: number; aov: number }[];
}

const c = (x: number): number => Math.round(x * 100);
const money = (cents: number): number => cents / 100;
const avg = (cents: number, n: number): number => (n === 0 ? 0 : Math.round(cents / n) / 100);
const METHODS = ['credit_card', 'debit_card', 'paypal', 'crypto'];
const SEGS = ['premium', 'regular', 'budget'];
const inOrder = (known: string[]) => (a: string, b: string) => {
  const ra = known.includes(a) ? known.indexOf(a) : known.length;
  const rb = known.includes(b) ? known.indexOf(b) : known.length;
  return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
};

/** The accepted set of a stream in produce order: the first contract-valid event of each order_id. */
export function firstWins(events: readonly OrderEvent[]): OrderEvent[] {
  const seen = new Set<string>();
  const out: OrderEvent[] = [];
  for (const e of events) {
    if (seen.has(e.order_id)) continue;
    seen.add(e.order_id);
    out.push(e);
  }
  return out;
}

export function expectedKpis(accepted: readonly OrderEvent[]): ExpectedKpis {
  let paid = 0;
  let rev = 0;
  let success = 0;
  let newest = -Infinity;
  const customers = new Set<string>();
  const minute = new Map<number, { orders: number; rev: number }>();
  const products = new Map<string, { qty: number; rev: number; first: [number, string]; name: string; category: string }>();
  const states = new Map<string, { orders: number; rev: number }>();
  const methods = new Map<string, { a: number; s: number; f: number; us: number }>();
  const segs = new Map<string, { orders: number; paid: number; rev: number; customers: Set<string> }>();

  for (const e of accepted) {
    const ts = Date.parse(e.order_timestamp);
    const isPaid = e.payment.status === 'success' && e.order_status !== 'cancelled';
    const r = isPaid ? c(e.total_amount) : 0;
    if (isPaid) paid++;
    rev += r;
    if (e.payment.status === 'success') success++;
    newest = Math.max(newest, ts);
    customers.add(e.customer.customer_id);

    const m = Math.floor(ts / 60000);
    const mm = minute.get(m) ?? { orders: 0, rev: 0 };
    mm.orders++;
    mm.rev += r;
    minute.set(m, mm);

    const p = products.get(e.product.product_id);
    const q = e.order_status === 'cancelled' ? 0 : e.quantity;
    if (!p) products.set(e.product.product_id, { qty: q, rev: r, first: [ts, e.order_id], name: e.product.name, category: e.product.category });
    else {
      p.qty += q;
      p.rev += r;
      if (ts < p.first[0] || (ts === p.first[0] && Buffer.compare(Buffer.from(e.order_id), Buffer.from(p.first[1])) < 0)) {
        p.first = [ts, e.order_id];
        p.name = e.product.name;
        p.category = e.product.category;
      }
    }

    const st = states.get(e.customer.state) ?? { orders: 0, rev: 0 };
    st.orders++;
    st.rev += r;
    states.set(e.customer.state, st);

    const pm = methods.get(e.payment.method) ?? { a: 0, s: 0, f: 0, us: 0 };
    pm.a++;
    if (e.payment.status === 'success') pm.s++;
    else pm.f++;
    pm.us += Math.round(e.payment.processing_ms * 1000);
    methods.set(e.payment.method, pm);

    const sg = segs.get(e.customer.segment) ?? { orders: 0, paid: 0, rev: 0, customers: new Set<string>() };
    sg.orders++;
    if (isPaid) sg.paid++;
    sg.rev += r;
    sg.customers.add(e.customer.customer_id);
    segs.set(e.customer.segment, sg);
  }

  const rpm: ExpectedKpis['revenue_per_minute'] = [];
  if (accepted.length > 0) {
    const last = Math.floor(newest / 60000);
    for (let m = last - 59; m <= last; m++) {
      const v = minute.get(m);
      rpm.push({ minute: new Date(m * 60000).toISOString(), orders: v?.orders ?? 0, revenue: money(v?.rev ?? 0) });
    }
  }

  return {
    summary: {
      orders: accepted.length,
      paid_orders: paid,
      revenue: money(rev),
      aov: avg(rev, paid),
      unique_customers: customers.size,
      payment_success_rate: accepted.length === 0 ? 0 : success / accepted.length,
    },
    revenue_per_minute: rpm,
    top_products: [...products]
      .sort(([ia, a], [ib, b]) => b.qty - a.qty || Buffer.compare(Buffer.from(ia), Buffer.from(ib)))
      .slice(0, 10)
      .map(([id, p]) => ({ product_id: id, name: p.name, category: p.category, quantity: p.qty, revenue: money(p.rev) })),
    orders_by_state: [...states]
      .sort(([sa, a], [sb, b]) => b.orders - a.orders || (sa < sb ? -1 : sa > sb ? 1 : 0))
      .map(([state, v]) => ({ state, orders: v.orders, revenue: money(v.rev) })),
    payments: [...methods]
      .sort(([a], [b]) => inOrder(METHODS)(a, b))
      .map(([method, v]) => ({ method, attempts: v.a, success: v.s, failed: v.f, success_rate: v.s / v.a, avg_processing_ms: Math.round(v.us / v.a / 10) / 100 })),
    segments: [...segs]
      .sort(([a], [b]) => inOrder(SEGS)(a, b))
      .map(([segment, v]) => ({ segment, orders: v.orders, revenue: money(v.rev), unique_customers: v.customers.size, aov: avg(v.rev, v.paid) })),
  };
}
