/** Helpers that deliver raw messages the way the connector does (shared/delivery: encode -> JSON -> decode). */
import { decodeBatch, encodeBatch } from '../../shared/delivery/kafka-batch.ts';
import type { DeliveredBatch, KafkaRecord } from '../../shared/delivery/wire.ts';
import type { MessageSink, OutMessage } from '../../shared/adapters/kafka.ts';

export interface RawMessage {
  key: string | null;
  bytes: Buffer;
}

/** One Kafka record as the connector reads it from the broker. */
export function batchRecord(m: RawMessage, offset: number | string): KafkaRecord {
  return { offset: String(offset), key: m.key === null ? null : Buffer.from(m.key, 'utf8'), value: m.bytes, timestamp: String(Date.UTC(2024, 4, 1)), headers: [] };
}

/** The messages as a function receives them: through the batch wire format, as the connector sends them. */
export function toBatch(messages: RawMessage[], topic = 'orders', partition = 0, firstOffset = 0): DeliveredBatch {
  const body = encodeBatch(topic, partition, messages.map((m, i) => batchRecord(m, firstOffset + i)));
  return decodeBatch(JSON.parse(body.toString('utf8')));
}

/** Split into consecutive batches of `size` messages with continuing offsets. */
export function toBatches(messages: RawMessage[], size: number, topic = 'orders', partition = 0): DeliveredBatch[] {
  const out: DeliveredBatch[] = [];
  for (let i = 0; i < messages.length; i += size) out.push(toBatch(messages.slice(i, i + size), topic, partition, i));
  return out;
}

/** A MessageSink that records what it was given (unit tests only; integration tests use Kafka). */
export class RecordingSink implements MessageSink {
  readonly sent: { topic: string; messages: OutMessage[] }[] = [];
  failNext = 0;
  async send(topic: string, messages: OutMessage[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('recording sink: injected failure');
    }
    this.sent.push({ topic, messages });
  }
  on(topic: string): OutMessage[] {
    return this.sent.filter((s) => s.topic === topic).flatMap((s) => s.messages);
  }
}
