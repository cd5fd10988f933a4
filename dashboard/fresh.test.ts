import { describe, expect, it } from 'vitest';
import { keepFresh, withListeners } from './fresh.ts';
import { createLogger } from '../shared/platform/log.ts';
import { waitFor } from '../dev/testing/wait-for.ts';

const log = createLogger({ test: 'fresh' }, () => undefined);

function source() {
  let value = 1;
  let loads = 0;
  let checks = 0;
  let fail = false;
  let notify: (() => void) | undefined;
  return {
    set: (v: number) => void (value = v),
    failing: (f: boolean) => void (fail = f),
    notify: () => notify?.(),
    get loads() { return loads; },
    get checks() { return checks; },
    load: async () => {
      loads++;
      if (fail) throw new Error('redis down');
      return value;
    },
    stillCurrent: async (last: number) => {
      checks++;
      if (fail) throw new Error('redis down');
      return last === value;
    },
    subscribe: async (cb: () => void) => {
      notify = cb;
      return async () => void (notify = undefined);
    },
  };
}

describe('keepFresh', () => {
  it('serves the loaded snapshot while confirmed, reloads on a change notice', async () => {
    const s = source();
    const f = await keepFresh({ ...s, pollMs: 60_000, log, what: 'test' });
    expect(await f.read()).toBe(1);
    expect(await f.read()).toBe(1);
    expect(s.loads).toBe(1);
    s.set(2);
    s.notify();
    await waitFor(async () => (await f.current()) === 2, { timeoutMs: 2_000, intervalMs: 5, what: 'the notice to reload' });
    expect(s.loads).toBe(2);
    await f.close();
  });
  it('confirms by the cheap check on a poll, loads when it says stale, and fails reads once no longer fresh', async () => {
    const s = source();
    const f = await keepFresh({ ...s, pollMs: 20, log, what: 'test' });
    expect(await f.read()).toBe(1);
    await waitFor(async () => s.checks >= 2, { timeoutMs: 2_000, intervalMs: 5, what: 'two polls' });
    expect(s.loads).toBe(1);
    s.set(3);
    await waitFor(async () => (await f.current()) === 3, { timeoutMs: 2_000, intervalMs: 5, what: 'a poll to load the change' });
    s.failing(true);
    await expect(f.read(-1)).rejects.toThrow(/redis down/); // -1: older than any confirmation (0 could match a poll in the same millisecond)
    expect(await f.current()).toBe(3);
    await f.close();
  });
});

describe('withListeners', () => {
  it('adds and removes listeners of the set the load notifies, reads through, and drops them on close', async () => {
    const s = source();
    const listeners = new Set<(v: number) => void>();
    const seen: number[] = [];
    const c = withListeners(await keepFresh({ ...s, pollMs: 60_000, log, what: 'test' }), listeners);
    const off = c.on((v) => seen.push(v));
    expect(listeners.size).toBe(1);
    for (const l of listeners) l(7);
    expect(seen).toEqual([7]);
    off();
    expect(listeners.size).toBe(0);
    expect(await c.read()).toBe(1);
    c.on(() => undefined);
    await c.close();
    expect(listeners.size).toBe(0);
  });
});
