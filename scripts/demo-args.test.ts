import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from './demo-args.ts';

describe('parseDemoArgs', () => {
  it('defaults to 200 orders/s, seed 1, no end', () => {
    expect(parseDemoArgs([])).toEqual({ rate: 200, seed: 1, duration: undefined });
  });
  it('reads the options', () => {
    expect(parseDemoArgs(['--rate', '50', '--seed', '7', '--duration', '30'])).toEqual({ rate: 50, seed: 7, duration: 30 });
  });
  it('rejects unknown options and bad numbers with the usage', () => {
    expect(() => parseDemoArgs(['--fast'])).toThrow(/Usage/);
    expect(() => parseDemoArgs(['--rate', 'x'])).toThrow(/--rate needs a number/);
    expect(() => parseDemoArgs(['--rate'])).toThrow(/--rate/);
  });
});
