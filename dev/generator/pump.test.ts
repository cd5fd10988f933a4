import { describe, expect, it } from 'vitest';
import { pump, defaultBatchSize, type BatchSender, type Clock, type PumpProgress } from './pump.ts';
import { createMessageStream, type GeneratedMessage } from './stream.ts';

/** A virtual clock: sleeping advances time instantly; sends take `sendMs` of virtual time. */
function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
      await Promise.resolve();
    },
  };
  return c;
}

function recorder(clock: Clock & { t: number }, sendMs = 0, failFirst = 0): BatchSender & { got: GeneratedMessage[][]; maxConcurrent: number; calls: number } {
  let active = 0;
  let fails = failFirst;
  const r = {
    got: [] as GeneratedMessage[][],
    maxConcurrent: 0,
    calls: 0,
    async send(batch: GeneratedMessage[]) {
      r.calls++;
      active++;
      r.maxConcurrent = Math.max(r.maxConcurrent, active);
      await new Promise((resolve) => setImmediate(resolve));
      if (sendMs > 0) clock.t += sendMs;
      active--;
      if (fails > 0) {
        fails--;
        throw new Error('broker unavailable');
      }
      r.got.push(batch);
    },
  };
  return r;
}

const source = (seed = 1) => createMessageStream({ seed, start: '2024-06-03T17:00:00Z' });

describe('pump', () => {
  it('sends exactly --count messages in order, in batches, and reports first/last order ids', async () => {
    const clock = fakeClock();
    const sender = recorder(clock);
    const r = await pump({ source: source(), sender, rate: 0, count: 2500, batchSize: 1000, clock });
    expect(r.sent).toBe(2500);
    expect(sender.got.map((b) => b.length)).toEqual([1000, 1000, 500]);
    const keys = sender.got.flat().map((m) => m.key);
    const g = source().generator;
    expect(keys).toEqual(Array.from({ length: 2500 }, (_, i) => g.orderId(i)));
    expect(r.firstOrderId).toBe(keys[0]);
    expect(r.lastOrderId).toBe(keys[2499]);
    expect(r.stoppedBy).toBe('count');
  });

  it('holds the target rate with a token bucket over (virtual) wall time', async () => {
    const clock = fakeClock();
    const r = await pump({ source: source(), sender: recorder(clock), rate: 1000, count: 10_000, clock });
    // One batch may go out at once; the rest follows at 1000/s.
    expect(r.seconds).toBeGreaterThan(9.9 - defaultBatchSize(1000) / 1000);
    expect(r.seconds).toBeLessThan(10.1);
    expect(r.rate).toBeGreaterThan(950);
    expect(r.rate).toBeLessThan(1060);
  });

  it('catches up after a stall, so the average rate holds at the target (unless burstMs is 0)', async () => {
    const run = async (burstMs: number): Promise<number> => {
      const clock = fakeClock();
      let calls = 0;
      const stalling: BatchSender = {
        async send() {
          calls += 1;
          if (calls === 3) clock.t += 600;
          await Promise.resolve();
        },
      };
      const r = await pump({ source: source(), sender: stalling, rate: 1000, count: 5000, maxInFlight: 1, burstMs, clock });
      return r.seconds;
    };
    // 5,000 messages at 1,000/s: ~5 s with catch-up, ~5.5 s when the stall is lost.
    expect(await run(1000)).toBeLessThan(5.1);
    expect(await run(0)).toBeGreaterThan(5.4);
  });

  it('stops after --duration and on abort', async () => {
    const clock = fakeClock();
    const r = await pump({ source: source(), sender: recorder(clock), rate: 500, durationMs: 3000, clock });
    expect(r.stoppedBy).toBe('duration');
    expect(r.sent).toBeGreaterThan(1400);
    expect(r.sent).toBeLessThan(1600);
    const ac = new AbortController();
    ac.abort();
    const r2 = await pump({ source: source(), sender: recorder(clock), rate: 0, signal: ac.signal, clock });
    expect(r2.stoppedBy).toBe('signal');
    expect(r2.sent).toBe(0);
  });

  it('keeps several sends in flight, no more than asked', async () => {
    const clock = fakeClock();
    const sender = recorder(clock, 5);
    const r = await pump({ source: source(), sender, rate: 0, count: 20_000, batchSize: 500, maxInFlight: 3, clock });
    expect(r.sent).toBe(20_000);
    expect(sender.maxConcurrent).toBe(3);
    expect(r.sendMsMax).toBeGreaterThanOrEqual(5);
    expect(r.sendMsMean).toBeGreaterThan(0);
  });

  it('retries a failed batch, counts the errors, and reports progress', async () => {
    const clock = fakeClock();
    const sender = recorder(clock, 0, 2);
    const progress: PumpProgress[] = [];
    const r = await pump({ source: source(), sender, rate: 2000, count: 6000, clock, onProgress: (p) => progress.push(p), progressEveryMs: 1000 });
    expect(r.sent).toBe(6000);
    expect(r.errors).toBe(2);
    expect(new Set(sender.got.flat().map((m) => m.key)).size).toBe(6000);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[progress.length - 1]!.sent).toBe(6000);
    expect(progress[progress.length - 1]!.errors).toBe(2);
  });

  it('gives up after the last attempt and rethrows the sender error', async () => {
    const clock = fakeClock();
    const sender = recorder(clock, 0, 100);
    await expect(pump({ source: source(), sender, rate: 0, count: 100, attempts: 3, clock })).rejects.toThrow('broker unavailable');
    expect(sender.calls).toBe(3);
  });

  it('validates its options and sizes batches from the rate', async () => {
    await expect(pump({ source: source(), sender: recorder(fakeClock()), rate: -1, count: 1 })).rejects.toThrow(RangeError);
    await expect(pump({ source: source(), sender: recorder(fakeClock()), rate: 1, count: 1.5 })).rejects.toThrow(RangeError);
    expect(defaultBatchSize(0)).toBe(1000);
    expect(defaultBatchSize(20_000)).toBe(1000);
    expect(defaultBatchSize(100)).toBe(5);
    expect(defaultBatchSize(3)).toBe(1);
  });
});
