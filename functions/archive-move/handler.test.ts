import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/platform/errors.ts';
import { parseMoveRequest } from './handler.ts';

describe('archive-move request', () => {
  it('reads orders and max_batch from the JSON body or the query', () => {
    expect(parseMoveRequest({ orders: 1200 })).toEqual({ orders: 1200 });
    expect(parseMoveRequest({ orders: 10, max_batch: 5 })).toEqual({ orders: 10, maxBatch: 5 });
    expect(parseMoveRequest(undefined, { orders: '7' })).toEqual({ orders: 7 });
    expect(parseMoveRequest(undefined)).toEqual({ orders: 0 }); // resume only
    expect(parseMoveRequest(Buffer.from('x'))).toEqual({ orders: 0 });
    expect(parseMoveRequest({ orders: 3, until_below_mb: 240 })).toEqual({ orders: 3, untilBelowMb: 240 });
  });

  it('rejects anything but non-negative integers', () => {
    for (const bad of [{ orders: -1 }, { orders: 1.5 }, { orders: '10' }, { orders: 1, max_batch: 0 }, { orders: 1, until_below_mb: -1 }]) expect(() => parseMoveRequest(bad)).toThrow(ValidationError);
    expect(() => parseMoveRequest(undefined, { orders: 'abc' })).toThrow(/orders must be an integer/);
  });
});
