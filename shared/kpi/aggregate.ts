/**
 * The aggregate core: accepted orders -> contributions -> exactly-once apply -> change notice.
 * Delivery is at-least-once; the store counts an order_id once, so a redelivered batch applies
 * nothing. The notice is sent even then (its first sending may have been lost with a crash).
 */
import type { Logger } from '../platform/log.ts';
import { contributionOf } from './contribution.ts';
import type { DeliveredMessage } from '../delivery/wire.ts';
import { orderFromEvent } from './order.ts';
import type { CounterStore } from './store.ts';
import type { Contribution, KpiNotice } from './types.ts';

export interface AggregateDeps {
  store: CounterStore;
  /** Send the change notice (kpi.deltas). */
  notify(notice: KpiNotice): Promise<void>;
  /**
   * Record messages that are not usable accepted orders (an upstream bug: never silent), by
   * source offset (`topic/partition/offset`, sourceKey): each is counted once, also when its batch
   * is redelivered. Resolves to how many were counted now.
   */
  countInvalid(sources: readonly string[]): Promise<number>;
  log: Logger;
  now?: () => Date;
}

export interface AggregateOutcome {
  received: number;
  applied: number;
  invalid: number;
  version: number;
  epoch: string | null;
}

/** The source offset of a delivered message, as the invalid counter keys it. */
export function sourceKey(m: Pick<DeliveredMessage, 'topic' | 'partition' | 'offset'>): string {
  return `${m.topic}/${m.partition}/${m.offset}`;
}

export function contributionsOf(messages: readonly DeliveredMessage[], log: Logger): { list: Contribution[]; invalid: number; invalidSources: string[] } {
  const list: Contribution[] = [];
  const invalidSources: string[] = [];
  let invalid = 0;
  for (const m of messages) {
    let error: string;
    if (m.value === null) error = 'empty value (tombstone)';
    else {
      let json: unknown;
      try {
        json = JSON.parse(m.valueText ?? m.value.toString('utf8'));
      } catch {
        json = undefined;
      }
      const r = json === undefined ? ({ ok: false, error: 'not JSON' } as const) : orderFromEvent(json);
      if (r.ok) {
        list.push(contributionOf(r.value));
        continue;
      }
      error = r.error;
    }
    invalid++;
    invalidSources.push(sourceKey(m));
    log.error('accepted message is not a valid order: skipped and counted (check ingest)', { topic: m.topic, partition: m.partition, offset: m.offset, key: m.key?.toString('utf8') ?? null, error });
  }
  return { list, invalid, invalidSources };
}

export async function aggregate(messages: readonly DeliveredMessage[], deps: AggregateDeps): Promise<AggregateOutcome> {
  const { list, invalid, invalidSources } = contributionsOf(messages, deps.log);
  if (invalid > 0) await deps.countInvalid(invalidSources);
  const r = await deps.store.apply(list);
  let newest: number | null = null;
  for (const c of list) if (newest === null || c.ts > newest) newest = c.ts;
  await deps.notify({
    v: 1,
    version: r.version,
    applied: r.applied,
    received: messages.length,
    newest: newest === null ? null : new Date(newest).toISOString(),
    at: (deps.now?.() ?? new Date()).toISOString(),
  });
  return { received: messages.length, applied: r.applied, invalid, version: r.version, epoch: r.epoch };
}
