import { describe, expect, it } from 'vitest';
import { batchOfFile, dtOf, dtOfDir, filePath, isDt, partitionDir } from './layout.ts';

describe('archive layout', () => {
  it('partitions by the UTC date of order_timestamp', () => {
    expect(dtOf(new Date('2026-03-01T23:59:59.999Z'))).toBe('2026-03-01');
    expect(dtOf(new Date('2026-03-02T00:00:00.000Z'))).toBe('2026-03-02');
    // 23:30 in New York on Mar 1 is already Mar 2 in UTC
    expect(dtOf(new Date('2026-03-01T23:30:00-05:00'))).toBe('2026-03-02');
    expect(() => dtOf(new Date('nope'))).toThrow(/invalid/);
  });

  it('names files deterministically per batch and partition', () => {
    expect(filePath('2026-01-02', 'aa-bb')).toBe('/orders_fact/dt=2026-01-02/part-aa-bb.parquet');
    expect(filePath('2026-01-02', 'aa-bb')).toBe(filePath('2026-01-02', 'aa-bb'));
    expect(partitionDir('2026-01-02')).toBe('/orders_fact/dt=2026-01-02');
    expect(() => filePath('2026-02-30', 'x')).toThrow(/partition/);
    expect(() => filePath('2026-01-02', '../evil')).toThrow(/batch id/);
  });

  it('parses directories and files back, ignoring temporary and foreign names', () => {
    expect(dtOfDir('/orders_fact/dt=2026-01-02')).toBe('2026-01-02');
    expect(dtOfDir('dt=2026-13-01')).toBeUndefined();
    expect(dtOfDir('/orders_fact/_tmp')).toBeUndefined();
    expect(batchOfFile('/orders_fact/dt=2026-01-02/part-aa-bb.parquet')).toBe('aa-bb');
    expect(batchOfFile('/orders_fact/dt=2026-01-02/.part-aa-bb.parquet.tmp-1-x')).toBeUndefined();
    expect(batchOfFile('/orders_fact/dt=2026-01-02/_SUCCESS')).toBeUndefined();
    expect(isDt('2024-02-29')).toBe(true);
    expect(isDt('2023-02-29')).toBe(false);
  });
});
