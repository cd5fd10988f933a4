/**
 * alert-deliver's core (issue 11, docs/alert-delivery.md): one delivered batch of the `alerts`
 * topic -> decoded changes -> the store (atomic, deduplicated, ordered per alert) -> the webhook
 * outbox. The webhook itself is never called here (deliver-webhook.ts drains the outbox in the
 * background), so the answer does not wait for it.
 *
 * A value that is not an AlertChange cannot become one by retrying: it is logged, counted
 * (`invalid`) and skipped, and the batch goes on.
 */
import { decodeAlertChange } from './alert.ts';
import type { Logger } from '../platform/log.ts';
import { prepareChange, type AlertStore, type ApplyOutcome, type PreparedChange } from './store.ts';

export interface DeliverMessage {
  value: Buffer | null;
  offset: string;
}

export interface DeliverDeps {
  store: Pick<AlertStore, 'apply'>;
  webhook: boolean;
  recentMax: number;
  log: Logger;
  now?: () => number;
}

export type DeliverCounts = Record<ApplyOutcome | 'invalid', number>;

export interface DeliverResult extends DeliverCounts {
  changes: number;
  /** Applied changes queued for the webhook (0 without ALERT_WEBHOOK_URL). */
  queued: number;
}

export function decodeMessages(messages: readonly DeliverMessage[], log: Logger): { prepared: PreparedChange[]; invalid: number } {
  const prepared: PreparedChange[] = [];
  let invalid = 0;
  for (const m of messages) {
    if (m.value === null) {
      invalid++;
      log.warn('alert-deliver: skipping a tombstone on the alerts topic', { offset: m.offset });
      continue;
    }
    try {
      prepared.push(prepareChange(decodeAlertChange(m.value)));
    } catch (err) {
      invalid++;
      log.warn('alert-deliver: skipping a value that is not an AlertChange (shared/alerts/alert.ts)', { offset: m.offset, err });
    }
  }
  return { prepared, invalid };
}

export async function deliverChanges(messages: readonly DeliverMessage[], deps: DeliverDeps): Promise<DeliverResult> {
  const { prepared, invalid } = decodeMessages(messages, deps.log);
  const counts: DeliverResult = { changes: messages.length, applied: 0, duplicate: 0, stale: 0, invalid, queued: 0 };
  if (prepared.length === 0) return counts;
  const outcomes = await deps.store.apply(prepared, { webhook: deps.webhook, recentMax: deps.recentMax, now: (deps.now ?? Date.now)() });
  for (const [i, o] of outcomes.entries()) {
    counts[o]++;
    if (o === 'applied') {
      const c = (prepared[i] as PreparedChange).change;
      deps.log.info('alert change', { type: c.type, id: c.alert.id, kind: c.alert.kind, severity: c.alert.severity, subject: c.alert.subject });
    }
  }
  if (deps.webhook) counts.queued = counts.applied;
  return counts;
}
