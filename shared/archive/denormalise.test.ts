import { describe, expect, it } from 'vitest';
import { validEvents } from '../../tests/corpus/valid-events.ts';
import { dimIdsOf, groupByDt, toArchiveRow } from './denormalise.ts';
import type { DimRows, FactDoc } from './hot-store.ts';
import { asLegacy, buildFacts } from './testing/facts.ts';
import { fixtureOf, legacyFixtureOf } from './testing/generated.ts';
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
      // A legacy row under the same payment_id (a reused id): a fact carrying payment_attrs ignores it.
      payments: new Map([[f.payment_id, { _id: f.payment_id, payment_id: f.payment_id, method: 'crypto', card: '4242' }]]),
    };
    const row = toArchiveRow(f, dims, 'b1');
    expect(row.segment).toBe(f.segment); // the event-time snapshot wins over the (first-wins) dim row
    expect(row.customer_attrs).toEqual({ loyalty_tier: 'gold' });
    expect(row.product_attrs).toEqual({ color: 'red' });
    expect(row.payment_attrs).toBeNull();
    expect(row.payment_method).toBe(f.payment_method);
    expect(row.batch_id).toBe('b1');
    expect(toArchiveRow({ ...f, payment_attrs: { card: '4242' } }, noDims, 'b1').payment_attrs).toEqual({ card: '4242' });
    expect(toArchiveRow({ ...f, payment_attrs: {} }, noDims, 'b1').payment_attrs).toBeNull();
    expect(row.extra).toBeNull();
  });

  it('fills attributes and time keys the fact lacks from the dimensions and the timestamp', () => {
    const { payment_attrs: _folded, ...f } = fact(0); // written before the fold: its payment row is read
    const bare: FactDoc = { ...(f as FactDoc), segment: undefined, state: undefined, payment_method: undefined, product_name: undefined, date_key: undefined, minute_key: undefined, hour: undefined, dow: undefined, content_hash: undefined, ingested_at: undefined };
    const dims: DimRows = {
      customers: new Map([[f.customer_id, { segment: 'premium', state: 'OR', city: 'Bend' }]]),
      products: new Map([[f.product_id, { name: 'Thing', category: 'Books' }]]),
      payments: new Map([[f.payment_id, { method: 'crypto', status: 'failed', processing_ms: 12 }]]),
    };
    const row = toArchiveRow(bare, dims, 'b');
    expect(row).toMatchObject({ segment: 'premium', state: 'OR', payment_method: 'crypto', product_name: 'Thing', date_key: '2026-01-01', minute_key: '2026-01-01T20:00', hour: 20, dow: 4, content_hash: null, ingested_at: null });
    expect(toArchiveRow(bare, noDims, 'b').segment).toBeNull();
  });

  it('an unknown payment field of the event lands in payment_attrs; a legacy fact + payments_dim row archive to the same row', () => {
    const at = new Date('2026-01-02T00:00:00Z');
    const evs = validEvents(40, { seed: 21 });
    for (const [i, e] of evs.entries()) if (i % 3 === 0) Object.assign(e.payment, { card_last4: `${1000 + i}`, wallet: { provider: 'acme', tokens: [i] } });
    for (const e of evs) {
      const now = fixtureOf(e, at);
      const old = legacyFixtureOf(e, at);
      expect('payment_attrs' in old.fact).toBe(false);
      const legacyDims: DimRows = { customers: new Map([[e.customer.customer_id, old.customer]]), products: new Map([[e.product.product_id, old.product]]), payments: new Map([[e.payment.payment_id, old.payment!]]) };
      const newDims: DimRows = { ...legacyDims, payments: new Map() };
      const legacyRow = toArchiveRow({ ...old.fact, hot_id: 'a'.repeat(24) }, legacyDims, 'b');
      expect(toArchiveRow({ ...now.fact, hot_id: 'a'.repeat(24) }, newDims, 'b')).toEqual(legacyRow);
      const extra = (e.payment as Record<string, unknown>).card_last4 === undefined ? null : { card_last4: e.payment.card_last4, wallet: e.payment.wallet };
      expect(legacyRow.payment_attrs).toEqual(extra);
      // Without its payments_dim row, a legacy fact loses the unknown fields (so the row above did read it).
      if (extra !== null) expect(toArchiveRow({ ...old.fact, hot_id: 'a'.repeat(24) }, newDims, 'b').payment_attrs).toBeNull();
    }
    // Only legacy facts need their payment row read.
    const mixed = [...buildFacts(3), ...asLegacy(buildFacts(2, { prefix: 'old' }))].map((x) => ({ ...x.fact, hot_id: 'a'.repeat(24) }));
    const ids = dimIdsOf(mixed);
    expect(ids.payments).toEqual(['pay-old-0000000', 'pay-old-0000001']);
    expect(ids.customers.length).toBe(new Set(mixed.map((x) => x.customer_id)).size);
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
