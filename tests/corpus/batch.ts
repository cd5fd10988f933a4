/** Helpers that wrap raw messages into the connector's KafkaBatch format (shared/platform/fn.ts). */
import { isUtf8 } from 'node:buffer';
import type { KafkaBatch, KafkaBatchMessage } from '../../shared/platform/fn.ts';
import type { MessageSink, OutMessage } from '../../shared/adapters/kafka.ts';

export interface RawMessage {
  key: string | null;
  bytes: Buffer;
}

/** One batch message as the connector encodes it: UTF-8 text in `value`, other bytes in `value_b64`. */
export function batchMessage(m: RawMessage, offset: number | string): KafkaBatchMessage {
  const base = { offset: String(offset), key: m.key, timestamp: String(Date.UTC(2024, 4, 1)) };
  return isUtf8(m.bytes) ? { ...base, value: m.bytes.toString('utf8') } : { ...base, value_b64: m.bytes.toString('base64') };
}

export function toBatch(messages: RawMessage[], topic = 'orders', partition = 0, firstOffset = 0): KafkaBatch {
  return { topic, partition, messages: messages.map((m, i) => batchMessage(m, firstOffset + i)) };
}

/** Split into consecutive batches of `size` messages with continuing offsets. */
export function toBatches(messages: RawMessage[], size: number, topic = 'orders', partition = 0): KafkaBatch[] {
  const out: KafkaBatch[] = [];
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
