import { describe, expect, it } from 'vitest';
import { groupByDt, toArchiveRow } from './denormalise.ts';
import type { DimRows, FactDoc } from './hot-store.ts';
import { buildFacts } from './testing/facts.ts';
import { summarise, compareFile, compareIdUnion } from './verify.ts';
import { idSetHash } from './manifest.ts';

const noDims: DimRows = { customers: new Map(), products: new Map(), payments: new Map() };

function fact(i = 0): FactDoc {
  const f = buildFacts(i + 1)[i]!;
  return { ...f.fact, hot_id: 'a'.repeat(24) };
}

describe('denormalise', () => {
  it('keeps the fact snapshot and adds unknown dimension fields as attrs', () => {
    const f = fact(0); // i = 0: customer has loyalty_tier
    const [fx] = buildFacts(1);
    const dims: DimRows = {
      customers: new Map([[f.customer_id, { ...fx!.customer, segment: 'budget' }]]),
      products: new Map([[f.product_id, { ...fx!.product, color: 'red' }]]),
      payments: new Map([[f.payment_id, fx!.payment]]),
    };
    const row = toArchiveRow(f, dims, 'b1');
    expect(row.segment).toBe(f.segment); // the event-time snapshot wins over the (first-wins) dim row
    expect(row.customer_attrs).toEqual({ loyalty_tier: 'gold' });
    expect(row.product_attrs).toEqual({ color: 'red' });
    expect(row.payment_attrs).toBeNull();
    expect(row.batch_id).toBe('b1');
    expect(row.extra).toBeNull();
  });

  it('fills attributes and time keys the fact lacks from the dimensions and the timestamp', () => {
    const f = fact(0);
    const bare: FactDoc = { ...f, segment: undefined, state: undefined, payment_method: undefined, product_name: undefined, date_key: undefined, minute_key: undefined, hour: undefined, dow: undefined, content_hash: undefined, ingested_at: undefined };
    const dims: DimRows = {
      customers: new Map([[f.customer_id, { segment: 'premium', state: 'OR', city: 'Bend' }]]),
      products: new Map([[f.product_id, { name: 'Thing', category: 'Books' }]]),
      payments: new Map([[f.payment_id, { method: 'crypto', status: 'failed', processing_ms: 12 }]]),
    };
    const row = toArchiveRow(bare, dims, 'b');
    expect(row).toMatchObject({ segment: 'premium', state: 'OR', payment_method: 'crypto', product_name: 'Thing', date_key: '2026-01-01', minute_key: '2026-01-01T20:00', hour: 20, dow: 4, content_hash: null, ingested_at: null });
    expect(toArchiveRow(bare, noDims, 'b').segment).toBeNull();
  });

  it('groups rows by UTC date, each group sorted by time then id', () => {
    const rows = buildFacts(30, { stepMs: 3 * 3600_000 }).map((x) => toArchiveRow({ ...x.fact, hot_id: 'a'.repeat(24) }, noDims, 'b'));
    const groups = groupByDt([...rows].reverse());
    expect([...groups.keys()]).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05']);
    expect(groups.get('2026-01-02')!.map((r) => r.order_id)).toEqual(rows.filter((r) => r.date_key === '2026-01-02').map((r) => r.order_id));
  });
});

describe('verification summaries', () => {
  const rows = [
    { order_id: 'a', total_amount: 0.1, quantity: 1 },
    { order_id: 'b', total_amount: 0.2, quantity: 2 },
  ];
  it('sums money in exact cents', () => {
    expect(summarise(rows)).toMatchObject({ rows: 2, total_cents: 30, quantity: 3, ids_sha256: idSetHash(['b', 'a']) });
  });
  it('reports every kind of mismatch', () => {
    const expected = { dt: '2026-01-01', path: '/p', rows: 2, ids_sha256: idSetHash(['a', 'b']), total_cents: 30, quantity: 3, bytes: 1 };
    expect(compareFile(expected, summarise(rows), new Set(['2026-01-01']))).toEqual([]);
    const dup = summarise([rows[0]!, rows[0]!]);
    expect(compareFile(expected, dup, new Set(['2026-01-02'])).join('; ')).toMatch(/twice.*set differs.*Σ total_amount 20¢ != 30¢.*Σ quantity 2 != 3.*dt 2026-01-02/);
    expect(compareIdUnion({ _id: 'b', ids: ['a', 'b', 'c'] }, [['a'], ['a', 'x']])).toEqual(['2 frozen orders missing from the files', '1 orders in the files are not in the batch', '1 orders appear in two files']);
  });
});
