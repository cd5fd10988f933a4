import { describe, expect, it } from 'vitest';
import { InvariantError } from '../platform/errors.ts';
import { BATCH_STEPS, assertAdvance, batchIdFor, canAdvance, idSetHash, isStep, newBatch, nextStep } from './manifest.ts';

const A = '6650a1b2c3d4e5f601234567';
const B = '6650a1b2c3d4e5f60123ffff';

describe('batch manifest', () => {
  it('walks frozen → written → verified → registered → deleted, one step at a time', () => {
    const walked: string[] = ['frozen'];
    let s = nextStep('frozen');
    while (s) {
      walked.push(s);
      s = nextStep(s);
    }
    expect(walked).toEqual([...BATCH_STEPS]);
    for (const from of BATCH_STEPS)
      for (const to of BATCH_STEPS) {
        const ok = nextStep(from) === to || (from === 'written' && to === 'frozen');
        expect(canAdvance(from, to)).toBe(ok);
      }
    expect(() => assertAdvance('b', 'frozen', 'verified')).toThrow(InvariantError);
    expect(() => assertAdvance('b', 'deleted', 'frozen')).toThrow(/illegal step deleted -> frozen/);
    expect(isStep('written')).toBe(true);
    expect(isStep('done')).toBe(false);
  });

  it('derives the batch id from the first and last _id', () => {
    expect(batchIdFor(A, B)).toBe(`${A}-${B}`);
    expect(() => batchIdFor('nope', B)).toThrow(/ObjectId/);
  });

  it('fingerprints id sets independently of order', () => {
    expect(idSetHash(['b', 'a', 'c'])).toBe(idSetHash(['c', 'b', 'a']));
    expect(idSetHash(['a', 'b'])).not.toBe(idSetHash(['a', 'b', 'c']));
    expect(idSetHash(['ab', 'c'])).not.toBe(idSetHash(['a', 'bc']));
  });

  it('records a new batch at step frozen with its exact id set', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const b = newBatch({ firstHotId: A, lastHotId: B, ids: ['o1', 'o2'], dts: ['2026-01-02', '2026-01-01', '2026-01-02'], storage: 's', catalog: 'c', now });
    expect(b).toMatchObject({ _id: `${A}-${B}`, step: 'frozen', ids: ['o1', 'o2'], id_count: 2, dts: ['2026-01-01', '2026-01-02'], files: [], sums: null, verify_failures: 0 });
    expect(b.history).toEqual([{ step: 'frozen', at: now }]);
    expect(() => newBatch({ firstHotId: A, lastHotId: B, ids: [], dts: [], storage: 's', catalog: 'c', now })).toThrow(/at least one/);
    expect(() => newBatch({ firstHotId: A, lastHotId: B, ids: ['x', 'x'], dts: [], storage: 's', catalog: 'c', now })).toThrow(/twice/);
  });
});
