/**
 * The OpenFaaS Node template contract, as our functions see it.
 * A function is `functions/<name>/handler.ts` with `export default async (event, context) => …`.
 * The template server (template/node24-ts) builds `event` from the HTTP request and sends
 * whatever the handler resolves (objects as JSON) with the status set on `context`.
 * Kafka-triggered functions read their messages with decodeEvent (shared/delivery/decode-event.ts).
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
