import { describe, expect, it } from 'vitest';
import { caughtUp, lostPartitions } from './feed.ts';

const m = (xs: [number, bigint][]) => new Map(xs);

describe('feed positions', () => {
  it('caught up when every partition of `until` is reached (positions past it too)', () => {
    expect(caughtUp(m([[0, 5n], [1, 7n]]), m([[0, 5n], [1, 6n]]))).toBe(true);
    expect(caughtUp(m([[0, 5n], [1, 5n]]), m([[0, 5n], [1, 6n]]))).toBe(false);
    expect(caughtUp(m([[0, 5n]]), m([[0, 5n], [1, 1n]]))).toBe(false);
    expect(caughtUp(m([[0, 5n]]), m([[0, 5n], [1, 0n]]))).toBe(true);
  });

  it('a partition is lost when retention deleted messages not yet read', () => {
    const ranges = m([
      [0, 3n],
      [1, 0n],
    ]);
    const r = new Map([...ranges].map(([p, low]) => [p, { low, high: 100n }]));
    expect(lostPartitions(m([[0, 3n], [1, 0n]]), r)).toEqual([]);
    expect(lostPartitions(m([[0, 2n], [1, 0n]]), r)).toEqual([0]);
    // a partition the feed never had a position for (added later): lost only when its start is gone
    expect(lostPartitions(m([[0, 9n]]), r)).toEqual([]);
    expect(lostPartitions(m([[1, 9n]]), r)).toEqual([0]);
  });
});
