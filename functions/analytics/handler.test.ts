import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/platform/errors.ts';
import { parseAnalyticsCall } from './handler.ts';

describe('analytics request', () => {
  it('GET is the stored header; POST runs, with the engine of the body or the query when given', () => {
    expect(parseAnalyticsCall({ method: 'GET', body: undefined, query: {} })).toEqual({ kind: 'status' });
    expect(parseAnalyticsCall({ method: 'POST', body: undefined, query: {} })).toEqual({ kind: 'run', engine: undefined, scan: false });
    expect(parseAnalyticsCall({ method: 'POST', body: Buffer.from(''), query: {} })).toEqual({ kind: 'run', engine: undefined, scan: false });
    expect(parseAnalyticsCall({ method: 'POST', body: { engine: 'spark' }, query: {} })).toEqual({ kind: 'run', engine: 'spark', scan: false });
    expect(parseAnalyticsCall({ method: 'POST', body: {}, query: { engine: 'duckdb' } })).toEqual({ kind: 'run', engine: 'duckdb', scan: false });
  });

  it('`scan` asks for a hot-store read this run (body or query)', () => {
    expect(parseAnalyticsCall({ method: 'POST', body: { scan: true }, query: {} })).toEqual({ kind: 'run', engine: undefined, scan: true });
    expect(parseAnalyticsCall({ method: 'POST', body: {}, query: { scan: '1', engine: 'duckdb' } })).toEqual({ kind: 'run', engine: 'duckdb', scan: true });
    expect(parseAnalyticsCall({ method: 'POST', body: { scan: false }, query: {} })).toEqual({ kind: 'run', engine: undefined, scan: false });
    expect(() => parseAnalyticsCall({ method: 'POST', body: { scan: 'yes' }, query: {} })).toThrow(/scan must be true or false/);
  });

  it('rejects an unknown engine', () => {
    expect(() => parseAnalyticsCall({ method: 'POST', body: { engine: 'presto' }, query: {} })).toThrow(ValidationError);
    expect(() => parseAnalyticsCall({ method: 'POST', body: { engine: 1 }, query: {} })).toThrow(/engine must be one of duckdb, spark/);
  });
});
