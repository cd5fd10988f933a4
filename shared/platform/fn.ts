/**
 * The OpenFaaS Node template contract, as our functions see it.
 * A function is `functions/<name>/handler.ts` with `export default async (event, context) => …`.
 * The template server (template/node24-ts) builds `event` from the HTTP request and sends
 * whatever the handler resolves (objects as JSON) with the status set on `context`.
 */
export interface FnEvent {
  /** Parsed JSON when the content-type is JSON, a UTF-8 string for text, otherwise the raw Buffer. */
  body: unknown;
  /** The exact request bytes. */
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  method: string;
  query: Record<string, string>;
  path: string;
}

export interface FnContext {
  status(code: number): FnContext;
  headers(values: Record<string, string>): FnContext;
  succeed(value: unknown): FnContext;
  fail(err: unknown): FnContext;
}

export type Handler = (event: FnEvent, context: FnContext) => Promise<unknown>;

/**
 * Batched delivery from our Kafka connector (content-type application/vnd.orderpulse.kafka-batch+json).
 * One invocation carries consecutive messages of one partition; offsets are committed only after
 * the function answers 2xx, so delivery is at-least-once. `value` holds the bytes as a UTF-8 string
 * when they are valid UTF-8, otherwise `value_b64` holds them base64-encoded.
 * A single message delivered the OpenFaaS-connector way (raw body + X-Topic, X-Kafka-Partition,
 * X-Kafka-Offset, X-Kafka-Key headers) is also accepted by Kafka-triggered functions.
 */
export const KAFKA_BATCH_CONTENT_TYPE = 'application/vnd.orderpulse.kafka-batch+json';

export interface KafkaBatchMessage {
  offset: string;
  key: string | null;
  value?: string;
  value_b64?: string;
  timestamp: string;
}

export interface KafkaBatch {
  topic: string;
  partition: number;
  messages: KafkaBatchMessage[];
}
