import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from './demo-args.ts';

describe('parseDemoArgs', () => {
  it('defaults to 20 orders/s, seed 1, no end, 3 days of history (100,000 orders, older than 1 day archived)', () => {
    expect(parseDemoArgs([])).toEqual({ rate: 20, seed: 1, duration: undefined, historyDays: 3, historyOrders: 100_000, archiveOlderThanDays: 1, history: true, help: false });
  });
  it('reads the options', () => {
    expect(parseDemoArgs(['--rate', '50', '--seed', '7', '--duration', '30'])).toMatchObject({ rate: 50, seed: 7, duration: 30 });
    expect(parseDemoArgs(['--history-days', '2', '--history-orders', '3000', '--archive-older-than', '0.5'])).toMatchObject({ historyDays: 2, historyOrders: 3000, archiveOlderThanDays: 0.5, history: true });
    expect(parseDemoArgs(['--no-history'])).toMatchObject({ history: false });
  });
  it('rejects unknown options and bad numbers with the usage', () => {
    expect(() => parseDemoArgs(['--fast'])).toThrow(/Usage/);
    expect(() => parseDemoArgs(['--rate', 'x'])).toThrow(/--rate needs a number/);
    expect(() => parseDemoArgs(['--rate'])).toThrow(/--rate/);
    expect(() => parseDemoArgs(['--seed', '1.5'])).toThrow(/--seed needs an integer ≥ 0, got "1.5"/);
    expect(() => parseDemoArgs(['--duration=-1'])).toThrow(/--duration needs a number ≥ 0/);
    expect(() => parseDemoArgs(['--history-days', '0'])).toThrow(/--history-days/);
    expect(() => parseDemoArgs(['--history-orders', '2.5'])).toThrow(/--history-orders needs an integer/);
  });
  it('asks for help with --help or -h', () => {
    expect(parseDemoArgs(['--help']).help).toBe(true);
    expect(parseDemoArgs(['-h', '--rate', '5'])).toMatchObject({ help: true, rate: 5 });
  });
});
