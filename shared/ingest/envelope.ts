/**
 * How the ingest function receives messages: a KafkaBatch from our batched connector
 * (content-type application/vnd.orderpulse.kafka-batch+json; the template has already parsed
 * it), or one message the OpenFaaS-connector way (raw body + X-Topic, X-Kafka-Partition,
 * X-Kafka-Offset, X-Kafka-Key headers). Both become a KafkaBatch. Pure.
 */
import { isUtf8 } from 'node:buffer';
import { ValidationError } from '../platform/errors.ts';
import { KAFKA_BATCH_CONTENT_TYPE, type FnEvent, type KafkaBatch, type KafkaBatchMessage } from '../platform/fn.ts';

function header(event: FnEvent, name: string): string | undefined {
  const v = event.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Check the shape of a parsed KafkaBatch (the connector is ours, but a function trusts no body). */
export function checkBatch(body: unknown): KafkaBatch {
  const b = body as Partial<KafkaBatch> | null;
  if (typeof b !== 'object' || b === null || typeof b.topic !== 'string' || !Number.isInteger(b.partition) || !Array.isArray(b.messages)) {
    throw new ValidationError('invalid_batch', 'body is not a KafkaBatch {topic, partition, messages[]} (see shared/platform/fn.ts)');
  }
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as Partial<KafkaBatchMessage> | null;
    if (typeof m !== 'object' || m === null || typeof m.offset !== 'string' || (m.key !== null && typeof m.key !== 'string')) {
      throw new ValidationError('invalid_batch', `batch message #${i} needs offset (string) and key (string or null)`);
    }
    if ((m.value !== undefined && typeof m.value !== 'string') || (m.value_b64 !== undefined && typeof m.value_b64 !== 'string')) {
      throw new ValidationError('invalid_batch', `batch message #${i} (offset ${m.offset}): value / value_b64 must be strings`);
    }
  }
  return b as KafkaBatch;
}

/** The messages an invocation carries, as a KafkaBatch. Throws ValidationError (HTTP 400) otherwise. */
export function batchFromEvent(event: FnEvent): KafkaBatch {
  const ct = (header(event, 'content-type') ?? '').toLowerCase();
  if (ct.startsWith(KAFKA_BATCH_CONTENT_TYPE)) {
    if (typeof event.body === 'object' && event.body !== null && !Buffer.isBuffer(event.body)) return checkBatch(event.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.rawBody.toString('utf8'));
    } catch (cause) {
      throw new ValidationError('invalid_batch', 'KafkaBatch body is not JSON', { cause });
    }
    return checkBatch(parsed);
  }
  const topic = header(event, 'x-topic');
  if (topic !== undefined) {
    const partition = Number(header(event, 'x-kafka-partition') ?? '0');
    const offset = header(event, 'x-kafka-offset') ?? '-1';
    if (!Number.isInteger(partition) || partition < 0) throw new ValidationError('invalid_batch', `X-Kafka-Partition must be a partition number, got ${header(event, 'x-kafka-partition')}`);
    // The OpenFaaS connector sends an empty X-Kafka-Key for a message without a key.
    const key = header(event, 'x-kafka-key');
    const raw = event.rawBody;
    const msg: KafkaBatchMessage = { offset, key: key === undefined || key === '' ? null : key, timestamp: header(event, 'x-kafka-timestamp') ?? '' };
    if (isUtf8(raw)) msg.value = raw.toString('utf8');
    else msg.value_b64 = raw.toString('base64');
    return { topic, partition, messages: [msg] };
  }
  throw new ValidationError('invalid_batch', `expected a KafkaBatch (content-type ${KAFKA_BATCH_CONTENT_TYPE}) or one Kafka message with X-Topic headers`);
}
