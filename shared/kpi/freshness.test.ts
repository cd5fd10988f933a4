import { describe, expect, it } from 'vitest';
import { batchNewest } from './freshness.ts';

describe('batchNewest', () => {
  it('takes the newest event time of each notice that applied orders', () => {
    const notice = (applied: number, newest: string | null): string => JSON.stringify({ v: 1, version: 3, applied, received: 5, newest, at: '2026-01-01T00:00:00.000Z' });
    expect(
      batchNewest([
        Buffer.from(notice(5, '2026-01-01T00:00:01.000Z')),
        notice(0, '2026-01-01T00:00:02.000Z'),
        notice(2, null),
        'not json',
        null,
        '"a string"',
        notice(1, '2026-01-01T00:00:03.500Z'),
      ]),
    ).toEqual([Date.UTC(2026, 0, 1, 0, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 3, 500)]);
  });
});
