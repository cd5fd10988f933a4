import { describe, expect, it } from 'vitest';
import { changeKey, changeRank, isOpenAfter, prepareChange, sortOpen, sortRecent } from './store.ts';
import { alertOf, lifeOf } from './testing/alerts.ts';

describe('alert store rules', () => {
  const a = alertOf();
  const { opened, updated, resolved } = lifeOf(a);

  it('one change is (alert.id, type, detected_at): the same triple is the same key, whatever else differs', () => {
    expect(changeKey(opened)).toBe(changeKey({ type: 'opened', alert: { ...a, observed: 0.9 } }));
    expect(changeKey(opened)).not.toBe(changeKey(updated));
    expect(changeKey(opened)).not.toBe(changeKey({ type: 'updated', alert: a }));
    expect(changeKey(opened)).not.toBe(changeKey({ type: 'opened', alert: { ...a, id: a.id + 'x' } }));
    expect(changeKey(opened)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ranks one alert\'s changes: later detection wins, updated beats opened, resolved is final', () => {
    expect(changeRank(updated) > changeRank(opened)).toBe(true);
    expect(changeRank(resolved) > changeRank(updated)).toBe(true);
    expect(changeRank({ type: 'updated', alert: a }) > changeRank(opened)).toBe(true);
    const lateUpdate = { type: 'updated' as const, alert: { ...a, detected_at: '2026-11-25T00:00:00.000Z' } };
    expect(changeRank(resolved) > changeRank(lateUpdate)).toBe(true);
    // fixed width, so string order is time order across digit counts
    expect(changeRank({ type: 'opened', alert: { ...a, detected_at: '1970-01-01T00:00:01.000Z' } }) < changeRank(opened)).toBe(true);
  });

  it('open until resolved', () => {
    expect(isOpenAfter(opened)).toBe(true);
    expect(isOpenAfter(updated)).toBe(true);
    expect(isOpenAfter(resolved)).toBe(false);
    expect(prepareChange(resolved)).toMatchObject({ open: false, key: changeKey(resolved), json: JSON.stringify(resolved) });
  });

  it('serves open alerts critical first, then newest; recent newest first', () => {
    const w = alertOf({ id: 'w', severity: 'warning', detected_at: '2026-11-24T09:00:00.000Z' });
    const c1 = alertOf({ id: 'c1', detected_at: '2026-11-24T08:00:00.000Z' });
    const c2 = alertOf({ id: 'c2', detected_at: '2026-11-24T08:30:00.000Z' });
    expect(sortOpen([w, c1, c2]).map((x) => x.id)).toEqual(['c2', 'c1', 'w']);
    expect(sortRecent([c1, w, c2]).map((x) => x.id)).toEqual(['w', 'c2', 'c1']);
  });
});
