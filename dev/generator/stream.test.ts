import { describe, expect, it } from 'vitest';
import { createMessageStream, type GeneratedMessage } from './stream.ts';
import { contractViolations } from './testing/contract-check.ts';

const START = '2024-06-03T17:00:00Z';
const take = (n: number, dupRate = 0, badRate = 0, seed = 11): GeneratedMessage[] => {
  const s = createMessageStream({ seed, start: START, dupRate, badRate });
  return Array.from({ length: n }, () => s.next());
};

describe('createMessageStream', () => {
  it('without faults yields only valid orders keyed by order_id', () => {
    const ms = take(2000);
    expect(ms.every((m) => m.kind === 'order')).toBe(true);
    for (const m of ms) {
      expect(contractViolations(m.value)).toEqual([]);
      expect((JSON.parse(m.value as string) as { order_id: string }).order_id).toBe(m.key);
    }
  });

  it('keeps the genuine order sequence identical whatever the fault rates', () => {
    const clean = take(4000).map((m) => m.value);
    const faulty = take(4000, 0.1, 0.1).filter((m) => m.kind === 'order').map((m) => m.value);
    expect(faulty.length).toBeGreaterThan(2500);
    expect(faulty).toEqual(clean.slice(0, faulty.length));
  });

  it('duplicates are exact copies of earlier orders, at about the requested rate', () => {
    const ms = take(20_000, 0.05, 0);
    const earlier = new Map<string, string | Buffer>();
    let dups = 0;
    for (const m of ms) {
      if (m.kind === 'order') earlier.set(m.key, m.value);
      else {
        expect(m.kind).toBe('duplicate');
        expect(earlier.get(m.key)).toBe(m.value);
        dups++;
      }
    }
    expect(Math.abs(dups / ms.length - 0.05)).toBeLessThan(0.008);
  });

  it('bad events violate the contract (or conflict) and say which reason they expect', () => {
    const ms = take(30_000, 0, 0.05, 12);
    const bad = ms.filter((m) => m.kind === 'bad');
    expect(Math.abs(bad.length / ms.length - 0.05)).toBeLessThan(0.008);
    const orders = new Map(ms.filter((m) => m.kind === 'order').map((m) => [m.key, m.value]));
    const faults = new Set(bad.map((m) => m.fault));
    expect(faults.size).toBe(14);
    for (const m of bad) {
      if (m.fault === 'conflict') {
        expect(m.expect).toBe('conflict');
        expect(orders.has(m.key)).toBe(true);
        expect(orders.get(m.key)).not.toEqual(m.value);
        expect(contractViolations(m.value)).toEqual([]);
      } else if (m.fault === 'key_mismatch') {
        expect(contractViolations(m.value)).toEqual([]);
        expect((JSON.parse(m.value as string) as { order_id: string }).order_id).not.toBe(m.key);
      } else {
        expect(contractViolations(m.value), `${m.fault}: ${String(m.value).slice(0, 200)}`).not.toEqual([]);
        expect(orders.has(m.key)).toBe(false);
      }
    }
    expect(bad.find((m) => m.fault === 'invalid_utf8')?.value).toBeInstanceOf(Buffer);
    expect(bad.filter((m) => m.fault === 'oversize').every((m) => Buffer.byteLength(m.value) > 64 * 1024)).toBe(true);
  });

  it('is deterministic with faults too, and rejects rates outside [0, 0.5]', () => {
    expect(take(3000, 0.05, 0.05)).toEqual(take(3000, 0.05, 0.05));
    expect(() => createMessageStream({ seed: 1, start: START, dupRate: 0.6 })).toThrow(RangeError);
    expect(() => createMessageStream({ seed: 1, start: START, badRate: -0.1 })).toThrow(RangeError);
  });
});
