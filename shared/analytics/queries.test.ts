import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DUCKDB_TYPES, columnsDdl } from './columns.ts';
import { QUERIES, QUERY_NAMES, type RawResults, type Row } from './queries.ts';
import { toResult } from './results.ts';
import { historyPaymentsDaily, historySummary } from './views.ts';

type O = [id: string, day: string, qty: number, total: string, status: string, customer: string, state: string, category: string, method: string, pay: string];
const row = (o: O): string => `(${o.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ')})`;

async function run(hot: O[], archived: O[]): Promise<RawResults> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const [t, rows] of [['hot_orders', hot], ['archived_orders', archived]] as const) {
      await conn.run(`CREATE TABLE ${t} (${columnsDdl(DUCKDB_TYPES)})`);
      if (rows.length) await conn.run(`INSERT INTO ${t} VALUES ${rows.map(row).join(', ')}`);
    }
    const out = {} as RawResults;
    for (const q of QUERY_NAMES) out[q] = (await conn.runAndReadAll(QUERIES[q])).getRowObjects() as Row[];
    return out;
  } finally {
    conn.closeSync();
  }
}

describe('analytics SQL (DuckDB, in process)', () => {
  const a: O = ['a', '2026-01-01', 2, '20.10', 'completed', 'c1', 'CA', 'Books', 'paypal', 'success'];
  const b: O = ['b', '2026-01-01', 1, '5.05', 'cancelled', 'c2', 'CA', 'Toys', 'crypto', 'failed'];
  const c: O = ['c', '2026-01-02', 3, '0.30', 'pending', 'c1', 'NY', 'Books', 'paypal', 'success'];

  it('counts every order once across hot store and archive (an order in both is taken once), money exact', async () => {
    const r = toResult('duckdb', await run([a, c], [a, b]), 1, new Date('2026-01-03T00:00:00Z'));
    expect(r.summary).toEqual({ orders: 3, paid_orders: 2, revenue_cents: 2040, unique_customers: 2, payment_success: 2 });
    expect(r.daily).toEqual([
      { day: '2026-01-01', orders: 2, paid_orders: 1, revenue_cents: 2010, unique_customers: 2 },
      { day: '2026-01-02', orders: 1, paid_orders: 1, revenue_cents: 30, unique_customers: 1 },
    ]);
    // revenue desc; quantity over non-cancelled orders only
    expect(r.categories).toEqual([
      { category: 'Books', orders: 2, quantity: 5, revenue_cents: 2040 },
      { category: 'Toys', orders: 1, quantity: 0, revenue_cents: 0 },
    ]);
    expect(r.state_category).toEqual([
      { state: 'CA', category: 'Books', orders: 1, revenue_cents: 2010 },
      { state: 'CA', category: 'Toys', orders: 1, revenue_cents: 0 },
      { state: 'NY', category: 'Books', orders: 1, revenue_cents: 30 },
    ]);
    expect(r.placement).toEqual({ orders_hot: 2, orders_archived: 2, duplicates_archived: 0, in_both: 1 });
    expect(historySummary(r)).toMatchObject({ revenue: 20.4, aov: 10.2, payment_success_rate: 2 / 3, engine: 'duckdb', as_of: '2026-01-03T00:00:00.000Z' });
    expect(historyPaymentsDaily(r).rows).toEqual([
      { day: '2026-01-01', method: 'crypto', attempts: 1, failed: 1, success_rate: 0 },
      { day: '2026-01-01', method: 'paypal', attempts: 1, failed: 0, success_rate: 1 },
      { day: '2026-01-02', method: 'paypal', attempts: 1, failed: 0, success_rate: 1 },
    ]);
  });

  it('reports duplicate archive rows, and an empty store is all zeros', async () => {
    const dup = toResult('duckdb', await run([], [a, a, b]), 1);
    expect(dup.placement).toEqual({ orders_hot: 0, orders_archived: 2, duplicates_archived: 1, in_both: 0 });
    expect(dup.summary.orders).toBe(2);
    const empty = toResult('duckdb', await run([], []), 1);
    expect(empty.summary).toEqual({ orders: 0, paid_orders: 0, revenue_cents: 0, unique_customers: 0, payment_success: 0 });
    expect(empty.daily).toEqual([]);
    expect(historySummary(empty)).toMatchObject({ revenue: 0, aov: 0, payment_success_rate: 0 });
  });
});
