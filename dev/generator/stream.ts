/**
 * The message stream the CLI produces: generator orders, plus optional exact redeliveries
 * (`dupRate`) and malformed events (`badRate`) for demos and tests. Faults draw from their own
 * random stream, so the sequence of genuine orders is identical whatever the rates are.
 */
import type { DlqReason, OrderEvent } from '../../shared/contract/types.ts';
import { encodeEvent, encodeGeneratedEvent } from './encode.ts';
import { createGenerator, type GeneratorOptions, type OrderGenerator } from './generator.ts';
import { createRng, type Rng } from './prng.ts';

export type MessageKind = 'order' | 'duplicate' | 'bad';

export interface GeneratedMessage {
  kind: MessageKind;
  key: string;
  /** UTF-8 JSON text, or raw bytes for the invalid-UTF-8 case. */
  value: string | Buffer;
  /** For orders and duplicates: the order_id; for bad events: the id they claim, if any. */
  orderId: string | null;
  /** For bad events: the DLQ reason the contract calls for (a hint for tests and demos). */
  expect?: DlqReason;
  /** For bad events: which corruption was applied. */
  fault?: BadKind;
}

export const BAD_KINDS = ['truncated', 'not_json', 'nan', 'wrong_total', 'bad_quantity', 'string_quantity', 'missing_customer', 'bad_status', 'three_decimals', 'dollar_key', 'conflict', 'invalid_utf8', 'key_mismatch', 'oversize'] as const;
export type BadKind = (typeof BAD_KINDS)[number];

export interface MessageStreamOptions extends GeneratorOptions {
  /** Probability that a message is an exact redelivery of one of the last 1,000 orders. */
  dupRate?: number;
  /** Probability that a message is malformed or conflicting. */
  badRate?: number;
}

export interface MessageStream {
  next(): GeneratedMessage;
  readonly generator: OrderGenerator;
  readonly counts: { orders: number; duplicates: number; bad: number };
}

const HISTORY = 1000;

function rate(name: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!(r >= 0 && r <= 0.5)) throw new RangeError(`${name} must be in [0, 0.5], got ${String(v)}`);
  return r;
}

export function createMessageStream(opts: MessageStreamOptions): MessageStream {
  const dupRate = rate('dupRate', opts.dupRate);
  const badRate = rate('badRate', opts.badRate);
  const gen = createGenerator(opts);
  const faults = createRng(opts.seed, 'faults');
  const history: { key: string; value: string; event: OrderEvent }[] = [];
  const counts = { orders: 0, duplicates: 0, bad: 0 };
  let badSeq = 0;

  const order = (): GeneratedMessage => {
    const event = gen.next();
    const value = encodeGeneratedEvent(event);
    if (dupRate > 0 || badRate > 0) {
      if (history.length < HISTORY) history.push({ key: event.order_id, value, event });
      else history[counts.orders % HISTORY] = { key: event.order_id, value, event };
    }
    counts.orders++;
    return { kind: 'order', key: event.order_id, value, orderId: event.order_id };
  };

  return {
    generator: gen,
    counts,
    next() {
      if (dupRate === 0 && badRate === 0) return order();
      const u = faults.float();
      if (history.length > 0 && u < dupRate + badRate) {
        if (u < dupRate) {
          const h = history[faults.int(history.length)]!;
          counts.duplicates++;
          return { kind: 'duplicate', key: h.key, value: h.value, orderId: h.key };
        }
        counts.bad++;
        return badMessage(faults, history, `${gen.orderId(0).slice(0, -1)}x${badSeq++}`);
      }
      return order();
    },
  };
}

type Json = Record<string, unknown>;

function clone(e: OrderEvent): Json {
  return JSON.parse(encodeEvent(e)) as Json;
}

/** A malformed or conflicting message built from an earlier order. */
export function badMessage(rng: Rng, history: readonly { key: string; value: string; event: OrderEvent }[], freshId: string): GeneratedMessage {
  const kind = BAD_KINDS[rng.int(BAD_KINDS.length)] as BadKind;
  const base = history[rng.int(history.length)]!;
  const o = clone(base.event);
  o.order_id = freshId;
  (o.payment as Json).payment_id = freshId.replace(/^o-/, 'pay-');
  const text = (): string => JSON.stringify(o);
  const msg = (value: string | Buffer, expect: DlqReason, key = freshId, orderId: string | null = freshId): GeneratedMessage => ({ kind: 'bad', key, value, orderId, expect, fault: kind });
  switch (kind) {
    case 'truncated': {
      const t = text();
      return msg(t.slice(0, 1 + rng.int(t.length - 2)), 'invalid_json');
    }
    case 'not_json': {
      // Not JSON at all, or JSON whose top level is not an object (both unparseable as an order).
      const v = ['', 'order please', '{"order_id":', 'null', '[]', '42'][rng.int(6)] as string;
      return msg(v, 'invalid_json');
    }
    case 'nan':
      return msg(text().replace(/"quantity":\d+/, '"quantity":NaN'), 'invalid_json');
    case 'wrong_total':
      o.total_amount = Math.round(((o.total_amount as number) + 1 + rng.int(5000) / 100) * 100) / 100;
      return msg(text(), 'total_mismatch');
    case 'bad_quantity':
      o.quantity = [0, -1, 1.5][rng.int(3)];
      return msg(text(), 'schema');
    case 'string_quantity':
      o.quantity = String(o.quantity);
      return msg(text(), 'schema');
    case 'missing_customer':
      delete o.customer;
      return msg(text(), 'schema');
    case 'bad_status':
      o.order_status = 'shipped';
      return msg(text(), 'schema');
    case 'three_decimals':
      // Keep the total consistent so only the precision rule is broken.
      o.unit_price = (o.unit_price as number) + 0.001;
      o.total_amount = Math.round(((o.quantity as number) * (o.unit_price as number) + (o.shipping_cost as number) + (o.tax_amount as number)) * 100) / 100;
      return msg(text(), 'schema');
    case 'dollar_key':
      (o.customer as Json).$where = 'sleep(1000)';
      return msg(text(), 'forbidden_key');
    case 'conflict': {
      // Same order_id as an earlier, valid order, with different content.
      const c = clone(base.event);
      c.order_status = c.order_status === 'cancelled' ? 'completed' : 'cancelled';
      return msg(JSON.stringify(c), 'conflict', base.key, base.key);
    }
    case 'invalid_utf8': {
      const t = Buffer.from(text(), 'utf8');
      const at = t.indexOf('"city":"') + 8;
      return msg(Buffer.concat([t.subarray(0, at), Buffer.from([0xff, 0xfe]), t.subarray(at)]), 'invalid_utf8');
    }
    case 'key_mismatch':
      return msg(text(), 'key_mismatch', `${freshId}-other`);
    case 'oversize':
      o.note = 'x'.repeat(70 * 1024);
      return msg(text(), 'oversize');
  }
}
