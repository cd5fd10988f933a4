import { describe, expect, it } from 'vitest';
import { InvariantError } from '../platform/errors.ts';
import { parseSnapshot } from './snapshot.ts';

describe('parseSnapshot', () => {
  it('decodes the SNAPSHOT_LUA reply shape', () => {
    const maxTs = Date.UTC(2026, 10, 24, 10, 59, 10);
    const last = Math.floor(maxTs / 60000);
    const mins: (string | null)[] = new Array<string | null>(120).fill(null);
    mins[118] = '3'; // last minute orders
    mins[119] = '4500'; // last minute revenue cents
    mins[0] = '1'; // first minute orders, revenue missing
    const reply = [
      '12',
      ['orders', '4', 'paid', '2', 'rev', '4500', 'success', '3', 'max_ts', String(maxTs)],
      mins,
      ['p-1', '-5', 'p-0', '0'],
      ['4500', null],
      ['["Lamp","home"]', null],
      ['CA:o', '3', 'CA:r', '4500', 'NY:o', '1'],
      ['credit_card:a', '4', 'credit_card:s', '3', 'credit_card:f', '1', 'credit_card:us', '480000'],
      ['a:b:o', '4', 'a:b:p', '2', 'a:b:r', '4500'],
      ['a:b', 3],
      3,
    ];
    const s = parseSnapshot(reply);
    expect(s).toMatchObject({ version: 12, orders: 4, paid_orders: 2, revenue_cents: 4500, success: 3, unique_customers: 3, max_ts: maxTs });
    expect(s.minutes).toHaveLength(60);
    expect(s.minutes[0]).toEqual({ minute: last - 59, orders: 1, revenue_cents: 0 });
    expect(s.minutes[59]).toEqual({ minute: last, orders: 3, revenue_cents: 4500 });
    expect(s.top_products).toEqual([
      { product_id: 'p-1', name: 'Lamp', category: 'home', quantity: 5, revenue_cents: 4500 },
      { product_id: 'p-0', name: '', category: '', quantity: 0, revenue_cents: 0 },
    ]);
    expect(s.states).toEqual([
      { state: 'CA', orders: 3, revenue_cents: 4500 },
      { state: 'NY', orders: 1, revenue_cents: 0 },
    ]);
    expect(s.payments).toEqual([{ method: 'credit_card', attempts: 4, success: 3, failed: 1, processing_us: 480000 }]);
    // names may contain ':' (split at the last one)
    expect(s.segments).toEqual([{ segment: 'a:b', orders: 4, paid_orders: 2, revenue_cents: 4500, unique_customers: 3 }]);
  });

  it('an empty store has no minutes and zero counters', () => {
    const s = parseSnapshot(['0', [], [], [], [], [], [], [], [], [], 0]);
    expect(s).toMatchObject({ version: 0, orders: 0, max_ts: null, minutes: [], top_products: [] });
  });

  it('a malformed reply is an invariant error', () => {
    expect(() => parseSnapshot(['0'])).toThrow(InvariantError);
    expect(() => parseSnapshot(['x', [], [], [], [], [], [], [], [], [], 0])).toThrow(/version=x/);
  });
});
