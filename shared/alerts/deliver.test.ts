import { describe, expect, it } from 'vitest';
import { decodeMessages, deliverChanges } from './deliver.ts';
import { createLogger } from '../platform/log.ts';
import type { AlertStore, PreparedChange } from './store.ts';
import { alertOf, lifeOf } from './testing/alerts.ts';

const quiet = createLogger({}, () => undefined);

describe('alert-deliver core', () => {
  const { opened, resolved } = lifeOf(alertOf());
  const msgs = [
    { offset: '0', value: Buffer.from(JSON.stringify(opened)) },
    { offset: '1', value: Buffer.from('{not json') },
    { offset: '2', value: null },
    { offset: '3', value: Buffer.from(JSON.stringify({ type: 'opened', alert: { id: 'x' } })) },
    { offset: '4', value: Buffer.from(JSON.stringify(resolved)) },
  ];

  it('skips and counts what is not an AlertChange; keeps the order of the rest', () => {
    const { prepared, invalid } = decodeMessages(msgs, quiet);
    expect(invalid).toBe(3);
    expect(prepared.map((p) => p.change.type)).toEqual(['opened', 'resolved']);
  });

  it('hands the valid changes to the store in one call and counts its outcomes', async () => {
    const calls: { changes: readonly PreparedChange[]; webhook: boolean }[] = [];
    const store: Pick<AlertStore, 'apply'> = {
      apply: (changes, o) => {
        calls.push({ changes, webhook: o.webhook });
        return Promise.resolve(['applied', 'duplicate']);
      },
    };
    const r = await deliverChanges(msgs, { store, webhook: true, recentMax: 200, log: quiet });
    expect(r).toEqual({ changes: 5, applied: 1, duplicate: 1, stale: 0, invalid: 3, queued: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.webhook).toBe(true);
    const none = await deliverChanges([msgs[1]!], { store, webhook: false, recentMax: 200, log: quiet });
    expect(none).toEqual({ changes: 1, applied: 0, duplicate: 0, stale: 0, invalid: 1, queued: 0 });
    expect(calls).toHaveLength(1);
  });
});
