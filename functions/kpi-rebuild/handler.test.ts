import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/platform/errors.ts';
import { parseRebuildCall } from './handler.ts';

describe('kpi-rebuild request', () => {
  it('GET is the status; POST runs, forced only when asked', () => {
    expect(parseRebuildCall({ method: 'GET', body: undefined, query: {} })).toEqual({ kind: 'status' });
    expect(parseRebuildCall({ method: 'POST', body: undefined, query: {} })).toEqual({ kind: 'run', force: false });
    // what aggregate sends
    expect(parseRebuildCall({ method: 'POST', body: { reason: 'epoch_missing', epoch: null, redis_run_id: 'r', by: 'aggregate' }, query: {} })).toEqual({ kind: 'run', force: false });
    expect(parseRebuildCall({ method: 'POST', body: { force: true }, query: {} })).toEqual({ kind: 'run', force: true });
    expect(parseRebuildCall({ method: 'POST', body: Buffer.from(''), query: { force: 'true' } })).toEqual({ kind: 'run', force: true });
  });

  it('rejects a force that is not a boolean', () => {
    expect(() => parseRebuildCall({ method: 'POST', body: { force: 'yes' }, query: {} })).toThrow(ValidationError);
  });
});
