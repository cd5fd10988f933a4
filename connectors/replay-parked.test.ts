import { describe, expect, it } from 'vitest';
import type { FunctionDef } from './stackfile.ts';
import { replayFunctions, replayGroupOf } from './replay-parked.ts';

const fn = (name: string, topics: string[]): FunctionDef => ({ name, lang: 'node24-ts', handler: '.', handlerDir: '.', handlerFile: './handler.ts', image: 'x', annotations: {}, environment: {}, labels: {}, topics, cron: undefined, delivery: 'batch', batchMaxMessages: undefined, batchMaxBytes: undefined, timeoutMs: 1000, scale: { min: 1, max: 20 } });

describe('replay-parked', () => {
  const all = [fn('ingest', ['orders']), fn('aggregate', ['orders.accepted']), fn('audit', ['orders'])];
  it('replays for --function, else for every function subscribed to the topic', () => {
    expect(replayFunctions(all, 'orders', 'ingest', 'stack.yml').map((f) => f.name)).toEqual(['ingest']);
    expect(replayFunctions(all, 'orders', undefined, 'stack.yml').map((f) => f.name)).toEqual(['ingest', 'audit']);
    expect(() => replayFunctions(all, 'orders', 'nope', 'stack.yml')).toThrow(/no function named nope in stack.yml/);
    expect(() => replayFunctions(all, 'kpi.deltas', undefined, 'stack.yml')).toThrow(/no function of stack.yml consumes kpi.deltas; name one with --function/);
  });
  it('commits its progress in one group per function', () => {
    expect(replayGroupOf('orderpulse-', 'ingest')).toBe('orderpulse-replay-parked-ingest');
  });
});
