import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('coalesce', () => {
  it('callers during a run share ONE next run that starts after their call', async () => {
    const gates = [deferred(), deferred(), deferred()];
    let runs = 0;
    const job = coalesce(async () => {
      const n = runs++;
      await gates[n]?.promise;
      return n;
    });
    const a = job();
    const b = job();
    const c = job();
    const d = job();
    expect(runs).toBe(1);
    gates[0]?.resolve();
    expect(await a).toBe(0);
    gates[1]?.resolve();
    expect(await Promise.all([b, c, d])).toEqual([1, 1, 1]);
    expect(runs).toBe(2);
    const e = job();
    gates[2]?.resolve();
    expect(await e).toBe(2);
  });

  it('a failed run rejects its callers only; the next call runs again', async () => {
    let n = 0;
    const job = coalesce(async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return n;
    });
    await expect(job()).rejects.toThrow('boom');
    expect(await job()).toBe(2);
  });
});
