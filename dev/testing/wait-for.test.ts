import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrderPulseError } from '../../shared/platform/errors.ts';
import { waitFor, WaitTimeoutError } from './wait-for.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('waitFor', () => {
  it('resolves as soon as the condition holds (sync or async)', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, { timeoutMs: 1000, intervalMs: 1, what: 'three polls' });
    expect(n).toBe(3);
    await waitFor(async () => true, { timeoutMs: 0, what: 'an async true' });
  });

  it('resolves with the first value that is not undefined, null or false', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? { n } : undefined), { timeoutMs: 2_000, intervalMs: 1, what: 'a third poll' });
    expect(v).toEqual({ n: 3 });
    expect(await waitFor(() => 0, { timeoutMs: 10, what: 'zero' })).toBe(0);
    expect(await waitFor(() => '', { timeoutMs: 10, what: 'an empty string' })).toBe('');
  });

  it('treats a throwing check as not yet', async () => {
    let n = 0;
    const v = await waitFor(
      async () => {
        if (++n < 3) throw new Error('not up');
        return true;
      },
      { timeoutMs: 2_000, intervalMs: 1, what: 'the third check' },
    );
    expect(v).toBe(true);
    expect(n).toBe(3);
  });

  it('checks once at once, then every intervalMs', async () => {
    vi.useFakeTimers();
    let checks = 0;
    const done = waitFor(() => ++checks >= 5 || null, { timeoutMs: 1_000, intervalMs: 100, what: 'five checks' });
    await vi.advanceTimersByTimeAsync(0);
    expect(checks).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(checks).toBe(3);
    await vi.advanceTimersByTimeAsync(200);
    await expect(done).resolves.toBe(true);
    expect(checks).toBe(5);
  });

  it('fails after the timeout, naming what it waited for and the last error', async () => {
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: 'the impossible' })).rejects.toThrow(/timed out after 30 ms waiting for the impossible$/);
    vi.useFakeTimers();
    const caught = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 500, intervalMs: 100, what: 'Kafka' },
    ).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(600);
    const err = await caught;
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err).toBeInstanceOf(OrderPulseError);
    expect((err as WaitTimeoutError).message).toBe('timed out after 500 ms waiting for Kafka; the last check threw: connection refused');
    expect((err as WaitTimeoutError).cause).toBeInstanceOf(Error);
    expect((err as WaitTimeoutError).retriable).toBe(false);
  });

  it('names no error when the last check merely returned false', async () => {
    let n = 0;
    const check = (): boolean => {
      if (++n === 1) throw new Error('early hiccup');
      return false;
    };
    await expect(waitFor(check, { timeoutMs: 30, intervalMs: 5, what: 'a steady no' })).rejects.toThrow(/waiting for a steady no$/);
  });

  it('does not overshoot the deadline by a long interval', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    let rejectedAt = -1;
    const caught = waitFor(() => false, { timeoutMs: 150, intervalMs: 10_000, what: 'a condition' }).catch((e: unknown) => {
      rejectedAt = Date.now();
      return e;
    });
    await vi.advanceTimersByTimeAsync(200);
    expect(((await caught) as WaitTimeoutError).message).toBe('timed out after 150 ms waiting for a condition');
    expect(rejectedAt - start).toBe(150);
  });
});
