import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { MIB, decide, ordersToReach, runCheck, sizeFacts, type DecisionInput } from './check.ts';
import type { Invoker } from '../adapters/gateway.ts';
import { buildFacts } from './testing/facts.ts';
import { MemoryHotStore, MemoryLock, MemoryManifestStore, MemoryStatusStore } from './testing/memory-ports.ts';
import { newBatch } from './manifest.ts';

const base: DecisionInput = { totalBytes: 0, factBytes: 0, factCount: 0, thresholdMb: 300, lowWaterFraction: 0.8, inFlight: false, moverActive: false };

describe('archive-check decision', () => {
  it('does nothing at or below the threshold', () => {
    const d = decide({ ...base, totalBytes: 300 * MIB, factBytes: 290 * MIB, factCount: 290_000 });
    expect(d).toMatchObject({ decision: 'below-threshold', orders_to_move: 0, size_mb: 300, threshold_mb: 300, low_water_mb: 240 });
  });

  it('above it, moves enough average-sized orders to reach the low-water mark', () => {
    // 400 MiB total, 350 MiB of facts over 350 000 orders => 1 MiB per 1 000 orders; need 160 MiB off.
    const d = decide({ ...base, totalBytes: 400 * MIB, factBytes: 350 * MIB, factCount: 350_000 });
    expect(d.decision).toBe('move');
    expect(d.avg_order_bytes).toBe(1049);
    expect(d.orders_to_move).toBe(Math.ceil((160 * MIB) / ((350 * MIB) / 350_000)));
    expect(d.orders_to_move * ((350 * MIB) / 350_000)).toBeGreaterThanOrEqual(160 * MIB);
  });

  it('caps the amount at the orders present and says so when only dimensions remain', () => {
    expect(decide({ ...base, totalBytes: 400 * MIB, factBytes: 10 * MIB, factCount: 100 }).orders_to_move).toBe(100);
    expect(decide({ ...base, totalBytes: 400 * MIB, factBytes: 0, factCount: 0 }).decision).toBe('nothing-to-move');
    expect(ordersToReach(10, 20, 1, 5)).toBe(0);
    expect(ordersToReach(30, 20, 3, 100)).toBe(4);
  });

  it('does not start a second move while one holds the lease; resumes a crashed one', () => {
    const over = { ...base, totalBytes: 400 * MIB, factBytes: 350 * MIB, factCount: 350_000 };
    expect(decide({ ...over, inFlight: true, moverActive: true }).decision).toBe('move-in-progress');
    expect(decide({ ...over, moverActive: true }).decision).toBe('move-in-progress');
    const r = decide({ ...over, inFlight: true });
    expect(r.decision).toBe('resume');
    expect(r.orders_to_move).toBeGreaterThan(0);
    expect(decide({ ...base, inFlight: true })).toMatchObject({ decision: 'resume', orders_to_move: 0 });
  });

  it('sums data and index bytes over the measured collections', () => {
    expect(
      sizeFacts({
        collections: [
          { name: 'orders_fact', count: 10, dataBytes: 1000, storageBytes: 9999, indexBytes: 200 },
          { name: 'customers_dim', count: 3, dataBytes: 300, storageBytes: 9999, indexBytes: 50 },
        ],
      }),
    ).toEqual({ totalBytes: 1550, factBytes: 1200, factCount: 10 });
  });
});

describe('runCheck', () => {
  const log = createLogger({}, () => undefined);
  function setup(): { hot: MemoryHotStore; calls: { fn: string; body: unknown }[]; deps: Parameters<typeof runCheck>[0]; status: MemoryStatusStore; manifests: MemoryManifestStore; lock: MemoryLock } {
    const hot = new MemoryHotStore();
    hot.insert(buildFacts(1000));
    hot.bytesPerFact = 1024;
    const calls: { fn: string; body: unknown }[] = [];
    const invoker: Invoker = {
      invokeAsync: async (fn, body) => {
        calls.push({ fn, body });
        return { status: 202, callId: 'call-1' };
      },
    };
    const status = new MemoryStatusStore();
    const manifests = new MemoryManifestStore();
    const lock = new MemoryLock();
    return { hot, calls, status, manifests, lock, deps: { hot, manifests, lock, status, invoker, log, now: () => new Date('2026-01-01T00:00:00Z') } };
  }

  it('invokes archive-move asynchronously with the amount and stores the reading', async () => {
    const { deps, calls, status } = setup(); // 1000 orders * 1 KiB = 0.977 MiB
    const r = await runCheck(deps, { thresholdMb: 0.5, lowWaterFraction: 0.8 });
    expect(r).toMatchObject({ decision: 'move', orders_to_move: 1000 - 409, invoked: { function: 'archive-move', status: 202, call_id: 'call-1' }, at: '2026-01-01T00:00:00.000Z', fact_count: 1000 });
    expect(calls).toEqual([{ fn: 'archive-move', body: { orders: 591, until_below_mb: 0.4 } }]);
    expect(status.last).toEqual(r);
  });

  it('stays quiet below the threshold and while a move runs', async () => {
    const s = setup();
    expect((await runCheck(s.deps, { thresholdMb: 5, lowWaterFraction: 0.8 })).decision).toBe('below-threshold');
    await s.lock.acquire('mover', 60_000);
    expect((await runCheck(s.deps, { thresholdMb: 0.5, lowWaterFraction: 0.8 })).decision).toBe('move-in-progress');
    expect(s.calls).toEqual([]);
  });

  it('resumes a crashed batch even below the threshold', async () => {
    const s = setup();
    await s.manifests.create(newBatch({ firstHotId: 'a'.repeat(24), lastHotId: 'b'.repeat(24), ids: ['x'], dts: ['2026-01-01'], storage: 's', catalog: 'c', now: new Date() }));
    const r = await runCheck(s.deps, { thresholdMb: 5, lowWaterFraction: 0.8 });
    expect(r).toMatchObject({ decision: 'resume', in_flight: [`${'a'.repeat(24)}-${'b'.repeat(24)}`] });
    expect(s.calls).toEqual([{ fn: 'archive-move', body: { orders: 0, until_below_mb: 4 } }]);
  });

  it('records the failure when the gateway cannot be reached', async () => {
    const s = setup();
    s.deps.invoker = { invokeAsync: async () => Promise.reject(new Error('gateway down')) };
    await expect(runCheck(s.deps, { thresholdMb: 0.5, lowWaterFraction: 0.8 })).rejects.toThrow(/gateway down/);
    expect(s.status.last).toMatchObject({ decision: 'move', error: 'gateway down', invoked: null });
  });
});
