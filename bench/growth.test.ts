import { describe, expect, it } from 'vitest';
import { commandUsec, serverCpuUs, timedStore } from './growth.ts';
import type { IngestStore } from '../shared/ingest/types.ts';

describe('bench/growth helpers', () => {
  it('reads the server CPU (user + sys, µs) from INFO cpu', () => {
    expect(serverCpuUs('# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\nused_cpu_sys_children:9\r\n')).toBeCloseTo(3_750_000, 0);
  });
  it('reads a command’s usec from INFO commandstats (0 when absent)', () => {
    const info = '# Commandstats\r\ncmdstat_evalsha:calls=10,usec=12345,usec_per_call=1234.5\r\ncmdstat_get:calls=1,usec=2\r\n';
    expect(commandUsec(info, 'evalsha')).toBe(12345);
    expect(commandUsec(info, 'eval')).toBe(0);
  });
  it('adds up the wall time of each store call per method and passes results through', async () => {
    const ms: Record<string, number> = {};
    const inner = {
      registerOrders: async () => ({ duplicates: ['a'] }),
      registered: async () => new Map(),
      insertFacts: async () => ({ duplicates: [] }),
      factHashes: async () => new Map(),
      insertDimensions: async () => undefined,
    } as unknown as IngestStore;
    const s = timedStore(inner, ms);
    expect(await s.registerOrders([])).toEqual({ duplicates: ['a'] });
    await s.registerOrders([]);
    await s.insertDimensions({ customers: [], products: [] });
    expect(Object.keys(ms).sort()).toEqual(['insertDimensions', 'registerOrders']);
    expect(ms.registerOrders).toBeGreaterThanOrEqual(0);
  });
});
