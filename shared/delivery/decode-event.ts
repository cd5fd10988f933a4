/**
 * What a Kafka-triggered function calls first: the messages its invocation carries, whichever
 * way they were delivered (wire.ts). Pure.
 */
import { ValidationError } from '../platform/errors.ts';
import type { FnEvent } from '../platform/fn.ts';
import { decodeBatch } from './kafka-batch.ts';
import { decodeSingle, SINGLE_HEADERS } from './single.ts';
import { KAFKA_BATCH_CONTENT_TYPE, type DeliveredBatch } from './wire.ts';

function headerOf(event: FnEvent): (name: string) => string | undefined {
  return (name) => {
    const v = event.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
}

/**
 * content-type KAFKA_BATCH_CONTENT_TYPE: a KafkaBatch (already parsed by the template, or parsed
 * here from rawBody); otherwise an X-Topic header: one message, the OpenFaaS-connector way.
 * Anything else, or a malformed delivery: ValidationError `invalid_batch` (HTTP 400, not retriable).
 */
export function decodeEvent(event: FnEvent): DeliveredBatch {
  const header = headerOf(event);
  const ct = (header('content-type') ?? '').trim().toLowerCase();
  if (ct.startsWith(KAFKA_BATCH_CONTENT_TYPE)) {
    if (typeof event.body === 'object' && event.body !== null && !Buffer.isBuffer(event.body)) return decodeBatch(event.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.rawBody.toString('utf8'));
    } catch (cause) {
      throw new ValidationError('invalid_batch', 'KafkaBatch body is not JSON', { cause });
    }
    return decodeBatch(parsed);
  }
  if (header(SINGLE_HEADERS.topic) !== undefined) {
    const m = decodeSingle(header, event.rawBody);
    return { topic: m.topic, partition: m.partition, messages: [m] };
  }
  throw new ValidationError('invalid_batch', `expected a KafkaBatch (content-type ${KAFKA_BATCH_CONTENT_TYPE}) or one Kafka message with an X-Topic header (see shared/delivery/wire.ts)`);
}
