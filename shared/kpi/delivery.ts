/**
 * Messages of a Kafka-triggered invocation, for the KPI functions: the batched delivery of our
 * connector (KafkaBatch JSON, shared/platform/fn.ts) or one message the OpenFaaS-connector way
 * (raw body + X-Kafka-* headers). Values are returned as UTF-8 text (the KPI topics carry JSON).
 */
import { ValidationError } from '../platform/errors.ts';
import type { FnEvent, KafkaBatch } from '../platform/fn.ts';

export interface DeliveredMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** UTF-8 text of the value; null for a tombstone. */
  value: string | null;
}

function header(ev: FnEvent, name: string): string | undefined {
  const v = ev.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function isBatch(body: unknown): body is KafkaBatch {
  const b = body as Partial<KafkaBatch> | null;
  return !!b && typeof b === 'object' && !Buffer.isBuffer(b) && typeof b.topic === 'string' && Number.isInteger(b.partition) && Array.isArray(b.messages);
}

export function deliveredMessages(ev: FnEvent): DeliveredMessage[] {
  if (isBatch(ev.body)) {
    const { topic, partition } = ev.body;
    return ev.body.messages.map((m) => {
      if (!m || typeof m.offset !== 'string') throw new ValidationError('invalid_batch', 'a batch message lacks its offset');
      let value: string | null = null;
      if (typeof m.value === 'string') value = m.value;
      else if (typeof m.value_b64 === 'string') value = Buffer.from(m.value_b64, 'base64').toString('utf8');
      return { topic, partition, offset: m.offset, key: typeof m.key === 'string' ? m.key : null, value };
    });
  }
  const topic = header(ev, 'x-topic');
  if (topic === undefined) throw new ValidationError('invalid_batch', 'body is neither a KafkaBatch nor a single message with an X-Topic header');
  return [
    {
      topic,
      partition: Number(header(ev, 'x-kafka-partition') ?? -1),
      offset: header(ev, 'x-kafka-offset') ?? '-1',
      key: header(ev, 'x-kafka-key') ?? null,
      value: ev.rawBody.length === 0 ? null : ev.rawBody.toString('utf8'),
    },
  ];
}
