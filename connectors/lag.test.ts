import { describe, expect, it } from 'vitest';
import { partitionLag } from './lag.ts';

describe('partitionLag', () => {
  it('is the high watermark minus the committed offset', () => {
    expect(partitionLag('100', '0', '60')).toBe(40);
    expect(partitionLag('100', '0', '100')).toBe(0);
  });
  it('counts from the low watermark when the group never committed (it reads from the beginning)', () => {
    expect(partitionLag('100', '30', '-1')).toBe(70);
    expect(partitionLag('0', '0', '-1')).toBe(0);
  });
  it('is never negative (a commit seen before the new watermark)', () => {
    expect(partitionLag('10', '0', '12')).toBe(0);
  });
});
