import { describe, expect, it } from 'vitest';
import { parseBenchArgs, summarise } from './summary.ts';

describe('parseBenchArgs', () => {
  it('runs every part by default', () => {
    expect(parseBenchArgs([])).toEqual({ parts: ['generator', 'ingest', 'kpi', 'archive'], quick: false, help: false });
  });
  it('selects parts and quick mode', () => {
    expect(parseBenchArgs(['--only', 'kpi,ingest', '--quick'])).toEqual({ parts: ['kpi', 'ingest'], quick: true, help: false });
  });
  it('rejects unknown parts and options', () => {
    expect(() => parseBenchArgs(['--only', 'spark'])).toThrow(/--only/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option/);
    expect(() => parseBenchArgs(['--only', 'kpi,spark'])).toThrow(/--only: unknown "spark"; choose from generator, ingest, kpi, archive/);
    expect(parseBenchArgs(['-h']).help).toBe(true);
  });
});

describe('summarise', () => {
  it('prints the ratio and latency lines from the results', () => {
    const text = summarise({
      at: '2026-11-24T00:00:00.000Z',
      kpi: {
        entry: 'pipeline',
        latency: [{ rate: 1000, events: 15000, achieved_rate: 998, p50_ms: 120, p95_ms: 340, p99_ms: 500, max_ms: 700, tail_ms: 200, sustained: true }],
        at_1000: undefined,
        highest_sustained: undefined,
        read: { tool: 'wrk', connections: 100, seconds: 10, requests_per_s: 20000, p50_ms: 1.5, p90_ms: 3, p99_ms: 4.25, errors: 0 },
      } as never,
    });
    expect(text).toContain('event→KPI at 1,000 ev/s (achieved 998): p50 120 ms, p95 340 ms, p99 500 ms');
    expect(text).toContain('p99 4.25 ms');
  });
});
