import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/platform/errors.ts';
import { parseAnalyticsCall } from './handler.ts';

describe('analytics request', () => {
  it('GET is the stored header; POST runs, with the engine of the body or the query when given', () => {
    expect(parseAnalyticsCall({ method: 'GET', body: undefined, query: {} })).toEqual({ kind: 'status' });
    expect(parseAnalyticsCall({ method: 'POST', body: undefined, query: {} })).toEqual({ kind: 'run', engine: undefined });
    expect(parseAnalyticsCall({ method: 'POST', body: Buffer.from(''), query: {} })).toEqual({ kind: 'run', engine: undefined });
    expect(parseAnalyticsCall({ method: 'POST', body: { engine: 'spark' }, query: {} })).toEqual({ kind: 'run', engine: 'spark' });
    expect(parseAnalyticsCall({ method: 'POST', body: {}, query: { engine: 'duckdb' } })).toEqual({ kind: 'run', engine: 'duckdb' });
  });

  it('rejects an unknown engine', () => {
    expect(() => parseAnalyticsCall({ method: 'POST', body: { engine: 'presto' }, query: {} })).toThrow(ValidationError);
    expect(() => parseAnalyticsCall({ method: 'POST', body: { engine: 1 }, query: {} })).toThrow(/engine must be one of duckdb, spark/);
  });
});
