import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';
import { batchOf3, liveOf, snapshotOf3 } from './testing/fixtures.ts';
import type { SummaryView } from '../kpi/types.ts';

const dlq = { by_reason: { schema: 2 }, records: 3, redelivered: 1 };
const now = new Date('2026-01-03T00:00:02.000Z');
// 6 summary fields + 2 states x 2 + 2 methods x 2 + 2 placement checks
const ALL_FIELDS = 16;

describe('quality compare', () => {
  it('finds nothing wrong when the live views and the batch agree (an order mid-move is one order, not a mismatch)', () => {
    const r = compare(liveOf(snapshotOf3()), batchOf3(), { dlq, now });
    expect(r).toMatchObject({ as_of: now.toISOString(), engine: 'duckdb', mismatches: 0, checked_fields: ALL_FIELDS, details: [], settled: true });
    expect(r).toMatchObject({ orders_hot: 2, orders_archived: 2, duplicates_archived: 0, in_both: 1, dlq_by_reason: { schema: 2 }, dlq_records: 3, dlq_redelivered: 1 });
    expect(r).toMatchObject({ live_version: 7, live_as_of: '2026-01-03T00:00:00.000Z', batch_as_of: '2026-01-03T00:00:01.000Z', batch_took_ms: 12 });
  });

  it('a KPI made wrong on purpose is a mismatch naming the field, money shown as amounts, compared in cents', () => {
    const wrong = liveOf(snapshotOf3(), (v) => ((v.summary as SummaryView).revenue = 20.41));
    const r = compare(wrong, batchOf3(), { dlq, now });
    expect(r.mismatches).toBe(1);
    expect(r.checked_fields).toBe(ALL_FIELDS);
    expect(r.details).toEqual([{ field: 'summary.revenue', live: 20.41, batch: 20.4 }]);
  });

  it('a wrong counter shows in every view it feeds: revenue and aov, per state, per method, and the placement identity', () => {
    const s = snapshotOf3();
    s.revenue_cents += 100;
    s.states = [{ state: 'CA', orders: 2, revenue_cents: 2110 }];
    s.payments[1]!.failed = 0;
    const r = compare(liveOf(s), batchOf3(), { dlq, now });
    expect(r.details).toEqual([
      { field: 'summary.revenue', live: 21.4, batch: 20.4 },
      { field: 'summary.aov', live: 10.7, batch: 10.2 },
      { field: 'orders_by_state.CA.revenue', live: 21.1, batch: 20.1 },
      { field: 'orders_by_state.NY.orders', live: 0, batch: 1 },
      { field: 'orders_by_state.NY.revenue', live: 0, batch: 0.3 },
      { field: 'payments.crypto.failed', live: 0, batch: 1 },
    ]);
    expect(r.mismatches).toBe(6);
  });

  it('rates are compared exactly from the counts', () => {
    const r = compare(liveOf(snapshotOf3(), (v) => ((v.summary as SummaryView).payment_success_rate = 0.6667)), batchOf3(), { dlq, now });
    expect(r.details).toEqual([{ field: 'summary.payment_success_rate', live: 0.6667, batch: 2 / 3 }]);
  });

  it('duplicate archive rows and an order in no place or two places break the placement checks', () => {
    const b = batchOf3();
    b.placement = { orders_hot: 2, orders_archived: 2, duplicates_archived: 1, in_both: 0 };
    const r = compare(liveOf(snapshotOf3()), b, { dlq, now });
    expect(r.details).toEqual([
      { field: 'placement.duplicates_archived', live: 0, batch: 1 },
      { field: 'placement.orders', live: 3, batch: 4 },
    ]);
    expect(r).toMatchObject({ duplicates_archived: 1, mismatches: 2, in_both: 0 });
  });

  it('not settled: additive fields must lie between the live values before and after the batch; ratios are skipped', () => {
    const before = snapshotOf3();
    before.orders = 2;
    before.revenue_cents = 2010;
    before.states = [{ state: 'CA', orders: 2, revenue_cents: 2010 }];
    before.payments[0]!.attempts = 1;
    const after = snapshotOf3();
    after.version = 9;
    after.orders = 4;
    after.revenue_cents = 2100;
    after.paid_orders = 3;
    after.states.push({ state: 'TX', orders: 1, revenue_cents: 60 });
    after.payments[0]!.attempts = 3;
    const r = compare(liveOf(before), batchOf3(), { dlq, now, after: liveOf(after) });
    expect(r.settled).toBe(false);
    expect(r.details).toEqual([]);
    // aov and payment_success_rate skipped; TX adds 2 fields
    expect(r.checked_fields).toBe(ALL_FIELDS - 2 + 2);

    const lost = batchOf3();
    lost.summary.unique_customers = 5;
    lost.placement.duplicates_archived = 2;
    const r2 = compare(liveOf(before), lost, { dlq, now, after: liveOf(after) });
    expect(r2.details).toEqual([
      { field: 'summary.unique_customers', live: 2, batch: 5 },
      { field: 'placement.duplicates_archived', live: 0, batch: 2 },
    ]);
    const r3 = compare(liveOf(before), { ...batchOf3(), summary: { ...batchOf3().summary, revenue_cents: 2200 } }, { dlq, now, after: liveOf(after) });
    expect(r3.details).toEqual([{ field: 'summary.revenue', live: '20.1..21', batch: 22 }]);
  });

  it('an empty store and never-materialised views agree', () => {
    const b = batchOf3();
    b.summary = { orders: 0, paid_orders: 0, revenue_cents: 0, unique_customers: 0, payment_success: 0 };
    b.state_category = [];
    b.payments_daily = [];
    b.daily = [];
    b.categories = [];
    b.placement = { orders_hot: 0, orders_archived: 0, duplicates_archived: 0, in_both: 0 };
    const empty = { version: null, as_of: null, summary: { orders: 0, paid_orders: 0, revenue: 0, aov: 0, unique_customers: 0, payment_success_rate: 0, as_of: null }, orders_by_state: [], payments: [] };
    const r = compare(empty, b, { dlq: { by_reason: {}, records: 0, redelivered: 0 }, now });
    expect(r).toMatchObject({ mismatches: 0, checked_fields: 8, live_version: null });
  });
});
