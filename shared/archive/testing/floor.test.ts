import { describe, expect, it } from 'vitest';
import { subRanges } from '../move.ts';

describe('subRanges', () => {
  it('cuts ascending ids into consecutive ranges of at most `size`, covering every id once', () => {
    expect(subRanges([1, 2, 3, 4, 5], 2)).toEqual([
      { first: 1, last: 2 },
      { first: 3, last: 4 },
      { first: 5, last: 5 },
    ]);
    expect(subRanges([1, 2, 3, 4], 4)).toEqual([{ first: 1, last: 4 }]);
    expect(subRanges([], 3)).toEqual([]);
  });
});
