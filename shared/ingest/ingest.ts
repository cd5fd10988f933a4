/**
 * The ingest core: one delivered batch of `orders` messages → facts, dimensions, DLQ records
 * and accepted events, all written before it returns. Pure apart from the injected store and sink.
 *
 * Exactly-once facts with at-least-once delivery, for ever: the order-id registry (`order_ids`,
 * never archived) decides; the fact's unique order_id index backs it up. A message is
 *   accepted   – valid, and its fact was inserted by this call;
 *   duplicate  – valid, and its order_id is registered with the same content hash (its fact is
 *                stored, or archived), or an earlier message of this batch had the same content;
 *   conflict   – valid, but its order_id is registered (or won in this batch) with other content;
 *   <reason>   – invalid (see shared/contract/validate.ts).
 * Accepted and duplicate order_ids are sent to `orders.accepted` (one message per order_id per
 * batch) so a crash between the insert and the send heals on redelivery. Any store or Kafka
 * failure throws DependencyError: the caller answers non-2xx and the batch is redelivered;
 * replaying it changes no fact.
 */
import { canonicalJson, sha256Hex } from '../contract/canonical.ts';
import type { DlqRecord } from '../contract/types.ts';
import { validateOrder, type ValidOrder } from '../contract/validate.ts';
import { InvariantError } from '../platform/errors.ts';
import type { DeliveredBatch, DeliveredMessage } from '../delivery/wire.ts';
import type { MessageSink, OutMessage } from '../adapters/kafka.ts';
import type { Logger } from '../platform/log.ts';
import { countOutcomes } from './counts.ts';
import type { DimCache } from './dim-cache.ts';
import { buildFact, customerRow, productRow } from './documents.ts';
import { chunkMessages, dlqMessage, dlqRecord } from './messages.ts';
import type { DimensionRows, IngestCounts, IngestStore, Outcome, Registered } from './types.ts';

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
  timings: { validate_ms: number; register_ms: number; facts_ms: number; dims_ms: number; send_ms: number; total_ms: number };
}

interface Valid {
  index: number;
  v: ValidOrder;
  json: string;
  hash: string;
}

/** The decision for one order_id of the batch. */
interface Plan {
  g: Group;
  items: Valid[];
  /** new: registered by this call; live: registered before, not archived (fact hot or missing); archived. */
  state: 'new' | 'live' | 'archived';
  winnerHash: string;
  /** The first message with the winning content (undefined: every message conflicts). */
  winner: Valid | undefined;
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
const keyOf = (m: DeliveredMessage): string | null => m.keyText ?? (m.key === null ? null : m.key.toString('utf8'));

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
    // The text the delivery carried when there is one: validateOrder need not check and decode the bytes again.
    const r = validateOrder(m.valueText ?? valueOf(m), { maxBytes: deps.maxEventBytes, key: keyOf(m) });
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

  // 2. Register the first message of every order_id in the never-archived registry: its insert is
  // the uniqueness check, so an archived order (its fact deleted) is still known. Then, in
  // parallel: insert the facts of the new order_ids, and read what the store knows of the others
  // (their winning hash; whether they are archived).
  const candidates: Group[] = [...groups.values()];
  const t1 = performance.now();
  const entries = candidates.map((g) => ({ order_id: g.orderId, content_hash: g.first.hash }));
  const known = new Set(entries.length > 0 ? (await deps.store.registerOrders(entries)).duplicates : []);
  const t2 = performance.now();
  const fresh = candidates.filter((g) => !known.has(g.orderId));
  const [freshExisted, reg] = await Promise.all([
    fresh.length > 0 ? deps.store.insertFacts(fresh.map((g) => buildFact(g.first.v.event, g.first.v.timestampMs, g.first.hash, now))).then((r) => r.duplicates) : [],
    known.size > 0 ? deps.store.registered([...known]) : new Map<string, Registered>(),
  ]);
  const factExisted = new Set(freshExisted);

  // 3. The winning content of every order_id. A known, not archived order_id whose batch carries
  // the winning content has that fact inserted now: the unique order_id index rejects it when the
  // fact is hot (a duplicate), and the insert heals a fact `missing` after a crash between the
  // registry insert and the fact insert. (Reading orders_fact by order_id would tell the same,
  // but FerretDB scans the whole collection for it.) An archived order inserts nothing, ever.
  const plans: Plan[] = [];
  for (const g of candidates) {
    let winnerHash = g.first.hash;
    let state: Plan['state'] = 'new';
    if (known.has(g.orderId)) {
      const r = reg.get(g.orderId);
      if (r === undefined) throw new InvariantError(`order_id ${g.orderId} was reported as registered but is not in the order-id registry (it is never deleted); check the order_ids collection`);
      winnerHash = r.content_hash;
      state = r.archived ? 'archived' : 'live';
    }
    const items = g.more === undefined ? [g.first] : [g.first, ...g.more];
    plans.push({ g, items, state, winnerHash, winner: items.find((it) => it.hash === winnerHash) });
  }
  const heal = plans.filter((p) => p.state === 'live' && p.winner !== undefined);
  if (heal.length > 0) {
    const r = await deps.store.insertFacts(heal.map((p) => buildFact(p.winner!.v.event, p.winner!.v.timestampMs, p.winner!.hash, now)));
    for (const id of r.duplicates) factExisted.add(id);
  }
  const t3 = performance.now();
  // A new order_id whose fact existed: written before the registry, and not backfilled (setup's
  // backfill prevents it; assertSchema refuses a store without it). Same content: a duplicate.
  const unregistered = fresh.filter((g) => factExisted.has(g.orderId)).map((g) => g.orderId);
  if (unregistered.length > 0) {
    const stored = await deps.store.factHashes(unregistered);
    for (const id of unregistered) {
      if (stored.get(id) !== groups.get(id)!.first.hash) {
        throw new InvariantError(`order_id ${id} has a fact with other content that the order-id registry did not know: run \`npm run setup\` (it backfills the registry), then redeliver`);
      }
    }
  }

  // 4. Decide every message against the winning content of its order_id: the winner is `accepted`
  // when this call inserted its fact, else `duplicate`; other content is a `conflict`.
  const winners: Valid[] = [];
  for (const p of plans) {
    const inserted = p.state !== 'archived' && p.winner !== undefined && !factExisted.has(p.g.orderId);
    for (const item of p.items) {
      if (item.hash === p.winnerHash) outcomes[item.index] = inserted && item === p.winner ? 'accepted' : 'duplicate';
      else toDlq(item.index, 'conflict', `order_id ${p.g.orderId} is already stored with other content (stored sha256 ${p.winnerHash.slice(0, 16)}…, this ${item.hash.slice(0, 16)}…)`, p.g.orderId);
    }
    if (p.winner !== undefined) winners.push(p.winner);
  }
  // Dimensions only for orders still in the hot store (an archived order writes nothing).
  const dimWinners = plans.filter((p) => p.winner !== undefined && p.state !== 'archived').map((p) => p.winner!);

  // 5. In parallel: dimensions of accepted and duplicate orders (duplicates too: heals a crash
  // after the fact insert), and the hand-on to Kafka (DLQ records, then accepted events, in
  // sequence on the one idempotent producer). Everything is acknowledged before returning.
  const counts = countOutcomes(outcomes);
  let dimsMs = 0;
  let sendMs = 0;
  await Promise.all([
    (async () => {
      await writeDimensions(dimWinners, deps);
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
  return { counts, outcomes, timings: { validate_ms: ms(t1 - t0), register_ms: ms(t2 - t1), facts_ms: ms(t3 - t2), dims_ms: ms(dimsMs), send_ms: ms(sendMs), total_ms: ms(t4 - t0) } };
}

async function sendAll(sink: MessageSink, topic: string, messages: OutMessage[]): Promise<void> {
  for (const chunk of chunkMessages(messages)) await sink.send(topic, chunk);
}

/**
 * First-wins dimension rows of the winning events: once per id per batch, skipping ids cached as
 * written and waiting for ids another batch of this process is inserting (dim-cache.ts).
 */
async function writeDimensions(winners: Valid[], deps: IngestDeps): Promise<void> {
  const cache = deps.dimCache;
  const rows: DimensionRows = { customers: [], products: [] };
  const seenC = new Set<string>();
  const seenP = new Set<string>();
  const waits = new Set<Promise<void>>();
  for (const w of winners) {
    const ev = w.v.event;
    const c = ev.customer.customer_id;
    if (!seenC.has(c)) {
      seenC.add(c);
      if (cache === undefined) rows.customers.push(customerRow(ev));
      else if (!cache.customers.has(c)) {
        const other = cache.inFlight.customers.get(c);
        if (other === undefined) rows.customers.push(customerRow(ev));
        else waits.add(other);
      }
    }
    const p = ev.product.product_id;
    if (!seenP.has(p)) {
      seenP.add(p);
      if (cache === undefined) rows.products.push(productRow(ev));
      else if (!cache.products.has(p)) {
        const other = cache.inFlight.products.get(p);
        if (other === undefined) rows.products.push(productRow(ev));
        else waits.add(other);
      }
    }
  }
  if (rows.customers.length + rows.products.length > 0) {
    // Claimed before the first await, so a batch running next sees these ids as in flight.
    const doneC = cache?.inFlight.customers.claim(rows.customers.map((r) => r._id));
    const doneP = cache?.inFlight.products.claim(rows.products.map((r) => r._id));
    try {
      await deps.store.insertDimensions(rows);
    } catch (err) {
      doneC?.(err);
      doneP?.(err);
      throw err;
    }
    if (cache !== undefined) {
      for (const r of rows.customers) cache.customers.add(r._id);
      for (const r of rows.products) cache.products.add(r._id);
    }
    doneC?.();
    doneP?.();
  }
  // Rows another batch is writing: this batch is answered only once they are written.
  await Promise.all(waits);
}
