import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/platform/errors.ts';
import { parseGenerateArgs } from './cli-args.ts';

const NOW = Date.parse('2024-06-03T17:00:00Z');

describe('parseGenerateArgs', () => {
  it('has defaults that work with no arguments', () => {
    const a = parseGenerateArgs([], NOW);
    expect(a).toMatchObject({ rate: 100, seed: 1, count: undefined, durationS: undefined, startMs: NOW, dupRate: 0, badRate: 0, eventRate: 100, inFlight: 4, workers: 1, partitions: 4, dryRun: false });
  });

  it('parses every option in both --k v and --k=v forms', () => {
    const a = parseGenerateArgs(['--rate', '20000', '--count=200000', '--seed', '7', '--duration', '2.5', '--topic', 'orders-x', '--start', '2024-01-02T03:04:05.678Z', '--dup-rate', '0.01', '--bad-rate=0.02', '--event-rate', '50', '--flash-every', '0', '--batch', '800', '--in-flight', '8', '--workers', '2', '--partitions', '6', '--dry-run'], NOW);
    expect(a).toMatchObject({ rate: 20000, count: 200000, seed: 7, durationS: 2.5, topic: 'orders-x', startMs: Date.parse('2024-01-02T03:04:05.678Z'), dupRate: 0.01, badRate: 0.02, eventRate: 50, flashEveryMinutes: 0, batchSize: 800, inFlight: 8, workers: 2, partitions: 6, dryRun: true });
  });

  it('defaults the event-time rate to the wall rate, or 100 when unlimited', () => {
    expect(parseGenerateArgs(['--rate', '250'], NOW).eventRate).toBe(250);
    expect(parseGenerateArgs(['--rate', '0'], NOW).eventRate).toBe(100);
  });

  it('rejects unknown options and bad values with a usage error', () => {
    for (const argv of [['--nope'], ['stray'], ['--rate'], ['--rate', '-5'], ['--rate', 'fast'], ['--count', '1.5'], ['--seed', '-1'], ['--start', 'yesterday'], ['--start', '2024-13-45T00:00:00Z'], ['--dup-rate', '0.9'], ['--topic', 'bad topic'], ['--dry-run=1'], ['--rate', '']]) {
      expect(() => parseGenerateArgs(argv, NOW), argv.join(' ')).toThrow(ValidationError);
    }
    expect(() => parseGenerateArgs(['--nope'], NOW)).toThrow(/Usage: npm run generate/);
  });
});
