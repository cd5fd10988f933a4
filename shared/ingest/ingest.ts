/**
 * The ingest core: one delivered batch of `orders` messages → facts, dimensions, DLQ records
 * and accepted events, all written before it returns. Pure apart from the injected store and sink.
 *
 * Exactly-once facts with at-least-once delivery: the unique order_id index decides. A message is
 *   accepted   – valid, and its fact was inserted by this call;
 *   duplicate  – valid, and a fact with the same content hash already exists (or an earlier
 *                message of this batch with the same content was accepted);
 *   conflict   – valid, but the stored (or winning) fact for its order_id has other content;
 *   <reason>   – invalid (see shared/contract/validate.ts).
 * Accepted and duplicate order_ids are sent to `orders.accepted` (one message per order_id per
 * batch) so a crash between the insert and the send heals on redelivery. Any store or Kafka
 * failure throws DependencyError: the caller answers non-2xx and the batch is redelivered;
 * replaying it changes no fact.
 */
import { canonicalJson, sha256Hex } from '../contract/canonical.ts';
import type { DlqRecord } from '../contract/types.ts';
import { validateOrder, type ValidOrder } from '../contract/validate.ts';
import { DependencyError } from '../platform/errors.ts';
import type { DeliveredBatch, DeliveredMessage } from '../delivery/wire.ts';
import type { MessageSink, OutMessage } from '../adapters/kafka.ts';
import type { Logger } from '../platform/log.ts';
import { countOutcomes } from './counts.ts';
import type { DimCache } from './dim-cache.ts';
import { buildFact, customerRow, paymentRow, productRow } from './documents.ts';
import { chunkMessages, dlqMessage, dlqRecord } from './messages.ts';
import type { DimensionRows, IngestCounts, IngestStore, Outcome } from './types.ts';

export interface IngestDeps {
  store: IngestStore;
  sink: MessageSink;
  topics: { dlq: string; accepted: string };
  maxEventBytes: number;
  /** Dimension ids already written by this process (optional). */
  dimCache?: DimCache;
  now?: () => Date;
  log?: Logger;
}

export interface IngestResult {
  counts: IngestCounts;
  /** One outcome per message, in batch order. */
  outcomes: Outcome[];
  /** Wall milliseconds per phase (observability). */
  timings: { validate_ms: number; facts_ms: number; lookup_ms: number; dims_ms: number; send_ms: number; total_ms: number };
}

interface Valid {
  index: number;
  v: ValidOrder;
  json: string;
  hash: string;
}

/** The messages of one order_id in this batch: the first, and any later ones (rare). */
interface Group {
  orderId: string;
  first: Valid;
  more: Valid[] | undefined;
}

const NO_BYTES = Buffer.alloc(0);

/** The value to validate and keep: a tombstone (null) is an empty message (invalid_json, docs/ingest.md). */
const valueOf = (m: DeliveredMessage): Buffer => m.value ?? NO_BYTES;

/** The key as text; null when absent. An empty key is a key (it differs from any order_id: key_mismatch). */
const keyOf = (m: DeliveredMessage): string | null => (m.key === null ? null : m.key.toString('utf8'));

/** One delivery as decodeEvent (shared/delivery/decode-event.ts) gives it; each message carries its own topic/partition. */
export async function ingestBatch(batch: DeliveredBatch, deps: IngestDeps): Promise<IngestResult> {
  const t0 = performance.now();
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  const msgs = batch.messages;
  const outcomes: Outcome[] = new Array<Outcome>(msgs.length);
  const dlq: DlqRecord[] = [];
  const groups = new Map<string, Group>();

  const toDlq = (i: number, reason: DlqRecord['reason'], detail: string, orderId: string | null): void => {
    const m = msgs[i]!;
    outcomes[i] = reason;
    dlq.push(dlqRecord(valueOf(m), reason, detail, { topic: m.topic, partition: m.partition, offset: m.offset, key: keyOf(m) }, orderId, at));
  };

  // 1. Validate; group valid messages by order_id (batch order kept).
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    const r = validateOrder(valueOf(m), { maxBytes: deps.maxEventBytes, key: keyOf(m) });
    if (!r.ok) {
      toDlq(i, r.reason, r.detail, r.orderId);
      continue;
    }
    const json = canonicalJson(r.event);
    const item: Valid = { index: i, v: r, json, hash: sha256Hex(json) };
    const g = groups.get(r.orderId);
    if (g === undefined) groups.set(r.orderId, { orderId: r.orderId, first: item, more: undefined });
    else (g.more ??= []).push(item);
  }

  // 2. Insert the first message of every order_id; the unique index reports the ones that exist.
  const candidates: Group[] = [...groups.values()];
  const facts = candidates.map((g) => buildFact(g.first.v.event, g.first.v.timestampMs, g.first.hash, now));
  const t1 = performance.now();
  const existing = new Set(facts.length > 0 ? (await deps.store.insertFacts(facts)).duplicates : []);
  const t2 = performance.now();
  const stored = existing.size > 0 ? await deps.store.factHashes([...existing]) : new Map<string, string>();
  const t3 = performance.now();

  // 3. Decide every message against the winning content of its order_id.
  const winners: Valid[] = [];
  for (const g of candidates) {
    const inserted = !existing.has(g.orderId);
    let winnerHash: string;
    if (inserted) winnerHash = g.first.hash;
    else {
      const h = stored.get(g.orderId);
      if (h === undefined) {
        // Reported as a duplicate key, then not found: deleted in between. Let the batch be redelivered.
        throw new DependencyError('mongodb', `order_id ${g.orderId} was reported as existing but is not in orders_fact; retry the batch`);
      }
      winnerHash = h;
    }
    let winner: Valid | undefined;
    const items = g.more === undefined ? [g.first] : [g.first, ...g.more];
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (item.hash === winnerHash) {
        outcomes[item.index] = inserted && k === 0 ? 'accepted' : 'duplicate';
        winner ??= item;
      } else {
        toDlq(item.index, 'conflict', `order_id ${g.orderId} is already stored with other content (stored sha256 ${winnerHash.slice(0, 16)}…, this ${item.hash.slice(0, 16)}…)`, g.orderId);
      }
    }
    if (winner !== undefined) winners.push(winner);
  }

  // 4. In parallel: dimensions of accepted and duplicate orders (duplicates too: heals a crash
  // after the fact insert), and the hand-on to Kafka (DLQ records, then accepted events, in
  // sequence on the one idempotent producer). Everything is acknowledged before returning.
  const counts = countOutcomes(outcomes);
  let dimsMs = 0;
  let sendMs = 0;
  await Promise.all([
    (async () => {
      await writeDimensions(winners, deps);
      dimsMs = performance.now() - t3;
    })(),
    (async () => {
      await sendAll(deps.sink, deps.topics.dlq, dlq.map(dlqMessage));
      await sendAll(
        deps.sink,
        deps.topics.accepted,
        winners.map((w): OutMessage => ({ key: w.v.orderId, value: w.json })),
      );
      sendMs = performance.now() - t3;
    })(),
  ]);
  const t4 = performance.now();
  const ms = (x: number): number => Math.round(x * 10) / 10;
  return { counts, outcomes, timings: { validate_ms: ms(t1 - t0), facts_ms: ms(t2 - t1), lookup_ms: ms(t3 - t2), dims_ms: ms(dimsMs), send_ms: ms(sendMs), total_ms: ms(t4 - t0) } };
}

async function sendAll(sink: MessageSink, topic: string, messages: OutMessage[]): Promise<void> {
  for (const chunk of chunkMessages(messages)) await sink.send(topic, chunk);
}

/** First-wins dimension rows of the winning events: once per id per batch, skipping cached ids. */
async function writeDimensions(winners: Valid[], deps: IngestDeps): Promise<void> {
  const cache = deps.dimCache;
  const rows: DimensionRows = { customers: [], products: [], payments: [] };
  const seenC = new Set<string>();
  const seenP = new Set<string>();
  const seenPay = new Set<string>();
  for (const w of winners) {
    const ev = w.v.event;
    const c = ev.customer.customer_id;
    if (!seenC.has(c)) {
      seenC.add(c);
      if (cache === undefined || !cache.customers.has(c)) rows.customers.push(customerRow(ev));
    }
    const p = ev.product.product_id;
    if (!seenP.has(p)) {
      seenP.add(p);
      if (cache === undefined || !cache.products.has(p)) rows.products.push(productRow(ev));
    }
    const pay = ev.payment.payment_id;
    if (!seenPay.has(pay)) {
      seenPay.add(pay);
      rows.payments.push(paymentRow(ev));
    }
  }
  if (rows.customers.length + rows.products.length + rows.payments.length === 0) return;
  await deps.store.insertDimensions(rows);
  if (cache !== undefined) {
    for (const r of rows.customers) cache.customers.add(r._id);
    for (const r of rows.products) cache.products.add(r._id);
  }
}
