/**
 * Payments folded into the fact (issue 10, items 1-3): what it saves at the store. In one process,
 * on the configured MongoDB/FerretDB, two fresh databases receive ingest's own writes for the same
 * generated events through the real adapter (createMongoStore), 4 batches of 2,000 in flight:
 *   - `with_payments`: as before the fold: registry entries, facts without `payment_attrs`, then
 *     the customer/product rows of first-seen ids and one `payments_dim` row per order in parallel
 *     (the old insertDimensions);
 *   - `without_payments`: as ingest writes now (no payment rows; no dimension insert at all when a
 *     batch has no first-seen customer or product).
 * The two alternate round by round (4 batches each, the order swapped every round), so the shared
 * machine's load changes hit both alike. Prints one JSON object with both rates and their ratio.
 * `npx tsx bench/payments-fold.ts [--events N] [--seed S] [--help]`. Needs the stack.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Db } from 'mongodb';
import { createGenerator } from '../dev/generator/generator.ts';
import { COLLECTIONS, connectMongo, ensureSchema } from '../shared/adapters/mongo.ts';
import { canonicalJson, sha256Hex } from '../shared/contract/canonical.ts';
import { createMongoStore, insertManyIgnoringDuplicates } from '../shared/ingest/adapters/mongo-store.ts';
import { buildFact, customerRow, legacyPaymentRow, productRow } from '../shared/ingest/documents.ts';
import type { DimRow, FactDoc } from '../shared/ingest/types.ts';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';

const BATCH = 2000;
const IN_FLIGHT = 4;

type Kind = 'with_payments' | 'without_payments';

export interface PaymentsFoldResult {
  events: number;
  documents_per_event: Record<Kind, number>;
  events_per_s: Record<Kind, number>;
  ratio_without_to_with: number;
  loadavg_1m: { start: number; end: number };
}

interface EventDocs {
  fact: FactDoc;
  customer?: DimRow;
  product?: DimRow;
  payment: DimRow;
}

function documentsOf(events: number, seed: number): EventDocs[] {
  const g = createGenerator({ seed, start: '2024-05-01T00:00:00Z', eventRate: 500 });
  const at = new Date();
  const seenC = new Set<string>();
  const seenP = new Set<string>();
  return Array.from({ length: events }, () => {
    const e = g.next();
    const d: EventDocs = { fact: buildFact(e, Date.parse(e.order_timestamp), sha256Hex(canonicalJson(e)), at), payment: legacyPaymentRow(e) };
    if (!seenC.has(e.customer.customer_id)) {
      seenC.add(e.customer.customer_id);
      d.customer = customerRow(e);
    }
    if (!seenP.has(e.product.product_id)) {
      seenP.add(e.product.product_id);
      d.product = productRow(e);
    }
    return d;
  });
}

async function writeBatch(db: Db, kind: Kind, part: readonly EventDocs[]): Promise<void> {
  const store = createMongoStore(db);
  await store.registerOrders(part.map((d) => ({ order_id: d.fact.order_id, content_hash: d.fact.content_hash })));
  await store.insertFacts(
    part.map((d) => {
      if (kind === 'without_payments') return { ...d.fact };
      const { payment_attrs: _legacyHasNone, ...legacy } = d.fact;
      return legacy as FactDoc;
    }),
  );
  const rows = { customers: part.flatMap((d) => (d.customer ? [d.customer] : [])), products: part.flatMap((d) => (d.product ? [d.product] : [])) };
  if (kind === 'with_payments') {
    await Promise.all([store.insertDimensions(rows), insertManyIgnoringDuplicates(db.collection<DimRow>(COLLECTIONS.payments), part.map((d) => d.payment), COLLECTIONS.payments)]);
  } else if (rows.customers.length + rows.products.length > 0) {
    await store.insertDimensions(rows);
  }
}

export async function benchPaymentsFold(opts: { events?: number; seed?: number } = {}): Promise<PaymentsFoldResult> {
  const events = opts.events ?? 100_000;
  const docs = documentsOf(events, opts.seed ?? 7);
  const config = loadConfig();
  const h = await connectMongo(config, `bench_fold_${Date.now().toString(36)}`);
  const dbs: Record<Kind, Db> = { with_payments: h.client.db(`${h.db.databaseName}_with`), without_payments: h.client.db(`${h.db.databaseName}_without`) };
  const load0 = os.loadavg()[0]!;
  try {
    for (const db of Object.values(dbs)) await ensureSchema(db);
    const seconds: Record<Kind, number> = { with_payments: 0, without_payments: 0 };
    const round = BATCH * IN_FLIGHT;
    for (let r = 0, from = 0; from < events; r++, from += round) {
      const order: Kind[] = r % 2 === 0 ? ['with_payments', 'without_payments'] : ['without_payments', 'with_payments'];
      for (const kind of order) {
        const t = performance.now();
        const batches: Promise<void>[] = [];
        for (let a = from; a < Math.min(from + round, events); a += BATCH) batches.push(writeBatch(dbs[kind], kind, docs.slice(a, Math.min(a + BATCH, events))));
        await Promise.all(batches);
        seconds[kind] += (performance.now() - t) / 1000;
      }
    }
    const dims = docs.reduce((n, d) => n + (d.customer ? 1 : 0) + (d.product ? 1 : 0), 0) / events;
    const r2 = (n: number): number => Math.round(n * 100) / 100;
    return {
      events,
      documents_per_event: { with_payments: r2(3 + dims), without_payments: r2(2 + dims) },
      events_per_s: { with_payments: Math.round(events / seconds.with_payments), without_payments: Math.round(events / seconds.without_payments) },
      ratio_without_to_with: r2(seconds.with_payments / seconds.without_payments),
      loadavg_1m: { start: r2(load0), end: r2(os.loadavg()[0]!) },
    };
  } finally {
    for (const db of Object.values(dbs)) await db.dropDatabase().catch(() => undefined);
    await h.close();
  }
}

const USAGE = `Usage: npx tsx bench/payments-fold.ts [options]

Ingest's own store writes with the legacy payments_dim rows and without them (today), alternating
round by round in one process; prints one JSON object. Needs the stack: npm run stack -- up.

  --events N   events (default 100000)
  --seed S     generator seed (default 7)
  -h, --help   this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    events: { type: 'number', min: 1, integer: true },
    seed: { type: 'number', min: 0, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  benchPaymentsFold({ events: v.events, seed: v.seed }).then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (err: unknown) => {
      createLogger({ bench: 'payments-fold' }).error('benchmark failed (is the stack up? npm run stack -- status)', { err });
      process.exitCode = 1;
    },
  );
}
