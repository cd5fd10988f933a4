import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { aggregate } from './aggregate.ts';
import type { DeliveredMessage } from '../delivery/wire.ts';
import type { ApplyResult, CounterStore } from './store.ts';
import { makeEvent } from './testing.ts';
import type { Contribution, KpiNotice, RawSnapshot } from './types.ts';

/** An in-memory CounterStore with the store's exactly-once contract (a port fake, not a Redis mock). */
class MemoryCounters implements CounterStore {
  applied = new Map<string, Contribution>();
  version = 0;
  async apply(list: readonly Contribution[]): Promise<ApplyResult> {
    let n = 0;
    for (const c of list) {
      if (this.applied.has(c.order_id)) continue;
      this.applied.set(c.order_id, c);
      n++;
    }
    if (n > 0) this.version++;
    return { applied: n, version: this.version, epoch: 'e' };
  }
  async snapshot(): Promise<RawSnapshot> {
    throw new Error('not used');
  }
}

const msg = (value: string | null, offset = '0'): DeliveredMessage => ({ topic: 'orders.accepted', partition: 0, offset, key: null, value: value === null ? null : Buffer.from(value), timestamp: '0', headers: [] });
const silent = createLogger({}, () => undefined);

describe('aggregate', () => {
  it('applies each order once, notices every batch (also a redelivery), counts unusable messages', async () => {
    const store = new MemoryCounters();
    const notices: KpiNotice[] = [];
    const seen = new Set<string>();
    const countInvalid = async (sources: readonly string[]): Promise<number> => {
      const fresh = sources.filter((k) => !seen.has(k));
      for (const k of fresh) seen.add(k);
      return fresh.length;
    };
    const deps = { store, notify: async (n: KpiNotice) => void notices.push(n), countInvalid, log: silent, now: () => new Date('2026-11-24T12:00:00Z') };
    const batch = [
      msg(JSON.stringify(makeEvent({ order_id: 'a', order_timestamp: '2026-11-24T10:00:00Z' })), '10'),
      msg(JSON.stringify(makeEvent({ order_id: 'b', order_timestamp: '2026-11-24T11:00:00Z' })), '11'),
      msg(JSON.stringify(makeEvent({ order_id: 'a' })), '12'),
      msg('{not json', '13'),
      msg(null, '14'),
      msg(JSON.stringify({ order_id: 'x' }), '15'),
    ];
    const first = await aggregate(batch, deps);
    expect(first).toEqual({ received: 6, applied: 2, invalid: 3, version: 1, epoch: 'e' });
    expect([...seen]).toEqual(['orders.accepted/0/13', 'orders.accepted/0/14', 'orders.accepted/0/15']);
    expect(notices[0]).toEqual({ v: 1, version: 1, applied: 2, received: 6, newest: '2026-11-24T11:00:00.000Z', at: '2026-11-24T12:00:00.000Z' });
    const again = await aggregate(batch, deps);
    expect(again.applied).toBe(0);
    expect(notices).toHaveLength(2);
    expect(notices[1]?.version).toBe(1);
    expect(seen.size).toBe(3); // the redelivery named the same source offsets: counted once
  });

  it('a notice that fails fails the invocation (the connector redelivers; the apply is then a no-op)', async () => {
    const store = new MemoryCounters();
    const deps = { store, notify: async () => Promise.reject(new Error('kafka down')), countInvalid: async () => 0, log: silent };
    await expect(aggregate([msg(JSON.stringify(makeEvent()))], deps)).rejects.toThrow('kafka down');
    expect(store.applied.size).toBe(1);
  });
});
