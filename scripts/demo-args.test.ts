import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from './demo-args.ts';

describe('parseDemoArgs', () => {
  it('defaults to 200 orders/s, seed 1, no end', () => {
    expect(parseDemoArgs([])).toEqual({ rate: 200, seed: 1, duration: undefined, help: false });
  });
  it('reads the options', () => {
    expect(parseDemoArgs(['--rate', '50', '--seed', '7', '--duration', '30'])).toEqual({ rate: 50, seed: 7, duration: 30, help: false });
  });
  it('rejects unknown options and bad numbers with the usage', () => {
    expect(() => parseDemoArgs(['--fast'])).toThrow(/Usage/);
    expect(() => parseDemoArgs(['--rate', 'x'])).toThrow(/--rate needs a number/);
    expect(() => parseDemoArgs(['--rate'])).toThrow(/--rate/);
    expect(() => parseDemoArgs(['--seed', '1.5'])).toThrow(/--seed needs an integer ≥ 0, got "1.5"/);
    expect(() => parseDemoArgs(['--duration=-1'])).toThrow(/--duration needs a number ≥ 0/);
  });
  it('asks for help with --help or -h', () => {
    expect(parseDemoArgs(['--help']).help).toBe(true);
    expect(parseDemoArgs(['-h', '--rate', '5'])).toMatchObject({ help: true, rate: 5 });
  });
});
