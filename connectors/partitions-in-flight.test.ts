import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS_CONCURRENCY, partitionsInFlight } from './kafka-connector.ts';

describe('partitionsInFlight: partitions of one function delivered at once', () => {
  it('keeps the single-replica default and rises with the replicas; an explicit setting wins', () => {
    expect(partitionsInFlight(1)).toBe(DEFAULT_PARTITIONS_CONCURRENCY);
    expect(partitionsInFlight(2)).toBe(4);
    expect(partitionsInFlight(8)).toBe(8);
    expect(partitionsInFlight(8, 2)).toBe(2);
  });
});
