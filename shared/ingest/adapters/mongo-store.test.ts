import { describe, expect, it } from 'vitest';
import { forEachLimit } from './mongo-store.ts';

describe('forEachLimit', () => {
  it('visits every item once, never more than `limit` at a time', async () => {
    const seen: number[] = [];
    let running = 0;
    let peak = 0;
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      seen.push(n);
      running--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });
  it('rejects with the first failure; an empty list does nothing', async () => {
    await expect(forEachLimit([1, 2], 2, async (n) => { if (n === 2) throw new Error('two'); })).rejects.toThrow('two');
    await forEachLimit([], 4, async () => { throw new Error('never'); });
  });
});
