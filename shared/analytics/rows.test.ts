import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../contract/canonical.ts';
import { createGenerator } from '../../dev/generator/generator.ts';
import { buildFact } from '../ingest/documents.ts';
import { rowFromEventText, rowFromFact } from './rows.ts';

describe('analytics rows', () => {
  it('the accepted event and the fact ingest builds from it give the same row', () => {
    const g = createGenerator({ seed: 7, start: '2026-03-01T23:59:50Z', eventRate: 5 });
    for (let i = 0; i < 500; i++) {
      const ev = g.next();
      const text = canonicalJson(ev);
      const fact = buildFact(ev, Date.parse(ev.order_timestamp), sha256Hex(text), new Date());
      const parsed = rowFromEventText(text);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.row).toEqual(rowFromFact(fact as unknown as Record<string, unknown>));
      expect(parsed.row.date_key).toBe(ev.order_timestamp.slice(0, 10));
    }
  });

  it('a fact without date_key gets it from order_timestamp (UTC day)', () => {
    const row = rowFromFact({ order_id: 'o1', order_timestamp: new Date('2026-01-02T23:30:00.000Z'), total_amount: 1.5 });
    expect(row.date_key).toBe('2026-01-02');
    expect(row.total_amount).toBe(1.5);
    expect(row.state).toBeNull();
  });

  it('refuses what is not an accepted order, with the reason', () => {
    expect(rowFromEventText('{')).toMatchObject({ ok: false });
    expect(rowFromEventText('[1]')).toEqual({ ok: false, error: 'not a JSON object' });
    const ev = createGenerator({ seed: 1, start: '2026-01-01T00:00:00Z' }).next();
    const { order_id: _omit, ...rest } = ev;
    expect(rowFromEventText(JSON.stringify(rest))).toEqual({ ok: false, error: 'order_id is missing' });
    expect(rowFromEventText(JSON.stringify({ ...ev, order_timestamp: 'soon' }))).toEqual({ ok: false, error: 'order_timestamp is not a timestamp' });
  });
});
