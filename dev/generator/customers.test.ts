import { describe, expect, it } from 'vitest';
import { createCustomers } from './customers.ts';
import { US_STATES } from './geo.ts';
import { DEFAULT_MODEL } from './model.ts';

describe('customer population', () => {
  const pop = createCustomers(DEFAULT_MODEL);

  it('gives each customer fixed attributes, independent of the population size', () => {
    const small = createCustomers({ ...DEFAULT_MODEL, customers: 5000 });
    for (const i of [0, 1, 17, 4999]) expect(small.get(i)).toEqual(pop.get(i));
    expect(pop.get(41).customer_id).toBe('c-000042');
    expect(Object.isFrozen(pop.get(41))).toBe(true);
    expect(pop.get(41)).toBe(pop.get(41));
  });

  it('spreads segments by the configured shares', () => {
    const counts = { premium: 0, regular: 0, budget: 0 };
    for (let i = 0; i < pop.size; i++) counts[pop.get(i).segment]++;
    for (const s of ['premium', 'regular', 'budget'] as const) expect(Math.abs(counts[s] / pop.size - DEFAULT_MODEL.segments[s].customerShare)).toBeLessThan(0.006);
  });

  it('weights states by population and uses only their own cities', () => {
    const total = US_STATES.reduce((a, s) => a + s.populationK, 0);
    const byState = new Map<string, number>();
    let foreignCity = 0;
    for (let i = 0; i < pop.size; i++) {
      const c = pop.get(i);
      byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
      if (!US_STATES[pop.stateIndex(i)]!.cities.includes(c.city) || US_STATES[pop.stateIndex(i)]!.code !== c.state) foreignCity++;
    }
    expect(foreignCity).toBe(0);
    expect(byState.size).toBe(US_STATES.length);
    for (const code of ['CA', 'TX', 'WY']) {
      const want = US_STATES.find((s) => s.code === code)!.populationK / total;
      expect(Math.abs(byState.get(code)! / pop.size - want)).toBeLessThan(0.004);
    }
  });

  it('maps popularity ranks to customers one to one', () => {
    const small = createCustomers({ ...DEFAULT_MODEL, customers: 10_000 });
    const seen = new Set<number>();
    for (let r = 0; r < small.size; r++) seen.add(small.byRank(r));
    expect(seen.size).toBe(10_000);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(9_999);
  });
});
