/**
 * The floor of ingest's function CPU per event with this driver and client (issue 10 item 2):
 * in one process, process.cpuUsage() around ONLY the parts ingest cannot leave out, each on the
 * same generator events, alternating in rounds:
 *   store     the MongoDB driver writing ingest's exact documents with the commands ingest uses
 *             (shared/ingest/adapters/mongo-store.ts: registry entries, then facts and first-seen
 *             customers/products), batches of 2000, 4 in flight, into a fresh database per round
 *             (on a private FerretDB with --own-ferretdb). Only the client's CPU counts: the
 *             server is another process.
 *   producer  @platformatic/kafka (createFastSink, as ingest) sending the accepted values (the
 *             canonical JSON keyed by order_id), chunked as ingest chunks them, 4 batches in flight.
 *   pure      the batch body's toString + JSON.parse + decodeBatch, validateOrder, canonical JSON,
 *             SHA-256, the fact document, the dimension rows (bench/ingest-parts.ts pureSteps).
 * floor = the sum of the three medians; the function's own figure (bench/ingest.ts
 * cpu_us_per_event) adds to it HTTP, the runtime, batch bookkeeping and the garbage collector.
 *
 *   npx tsx bench/ingest-floor.ts [--events N] [--rounds N] [--own-ferretdb]
 * Needs the stack's Kafka (and FerretDB without --own-ferretdb): `npm run stack -- up`.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { canonicalJson, sha256Hex } from '../shared/contract/canonical.ts';
import { validateOrder, type ValidOrder } from '../shared/contract/validate.ts';
import { buildFact, customerRow, productRow } from '../shared/ingest/documents.ts';
import { chunkMessages } from '../shared/ingest/messages.ts';
import { createMongoStore, forEachLimit } from '../shared/ingest/adapters/mongo-store.ts';
import type { DimensionRows, FactDoc, RegistryEntry } from '../shared/ingest/types.ts';
import { connectMongo, ensureSchema } from '../shared/adapters/mongo.ts';
import { createKafka, ensureTopics, type OutMessage } from '../shared/adapters/kafka.ts';
import { createFastSink } from '../shared/adapters/kafka-fast-sink.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEvent } from '../dev/generator/encode.ts';
import { startOwnService } from '../dev/stack/own-service.ts';
import { suffix } from '../tests/corpus/kafka-io.ts';
import { partsInput, pureSteps } from './ingest-parts.ts';
import { median } from './stats.ts';

const BATCH = 2000;
const IN_FLIGHT = 4;

/** What ingest hands the store and the producer for one batch. */
interface BatchWrites {
  entries: RegistryEntry[];
  facts: FactDoc[];
  dims: DimensionRows;
  accepted: OutMessage[];
}

export interface FloorResult {
  events: number;
  rounds: number;
  batch: number;
  in_flight: number;
  store: string;
  documents_per_event: number;
  /** CPU µs per event of each part, one figure per round. */
  cpu_us_per_event_by_round: { store: number[]; store_system: number[]; producer: number[]; pure: number[]; pure_by_step: Record<string, number[]> };
  median_cpu_us_per_event: { store: number; producer: number; pure: number };
  /** CPU µs of one JSON.parse of an event, per round (not in the floor): how loaded the machine was (bench/ingest.ts has the same yardstick). */
  calibration_json_parse_us: number[];
  floor_cpu_us_per_event: number;
  loadavg_1m: { start: number; end: number };
}

/** The writes of every batch, built as ingest builds them (new order_ids; first-seen dimension ids per process). */
function writesOf(texts: string[], now: Date): BatchWrites[] {
  const seenC = new Set<string>();
  const seenP = new Set<string>();
  const out: BatchWrites[] = [];
  for (let i = 0; i < texts.length; i += BATCH) {
    const b: BatchWrites = { entries: [], facts: [], dims: { customers: [], products: [] }, accepted: [] };
    for (const t of texts.slice(i, i + BATCH)) {
      const v = validateOrder(t, { maxBytes: 1 << 20, key: null });
      if (!v.ok) throw new Error(`generator event refused: ${v.reason} ${v.detail}`);
      const ev = (v as ValidOrder).event;
      const json = canonicalJson(ev);
      const hash = sha256Hex(json);
      b.entries.push({ order_id: v.orderId, content_hash: hash });
      b.facts.push(buildFact(ev, v.timestampMs, hash, now));
      b.accepted.push({ key: v.orderId, value: json });
      if (!seenC.has(ev.customer.customer_id)) {
        seenC.add(ev.customer.customer_id);
        b.dims.customers.push(customerRow(ev));
      }
      if (!seenP.has(ev.product.product_id)) {
        seenP.add(ev.product.product_id);
        b.dims.products.push(productRow(ev));
      }
    }
    out.push(b);
  }
  return out;
}

/** CPU µs (user + system) of this process while `run` runs; `system` collects the kernel's share. */
async function cpuOf(run: () => Promise<void>, system?: number[]): Promise<number> {
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  system?.push(c.system);
  return c.user + c.system;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export async function runFloorBench(opts: { events?: number; rounds?: number; ownFerretdb?: boolean; config?: Config } = {}): Promise<FloorResult> {
  const events = opts.events ?? 30_000;
  const rounds = opts.rounds ?? 3;
  let config = opts.config ?? loadConfig();
  const load0 = os.loadavg()[0]!;
  const own = opts.ownFerretdb ? await startOwnService('ferretdb', config, createLogger({ bench: 'ingest-floor' }, () => undefined)) : undefined;
  if (own) config = { ...config, mongoUrl: own.env.MONGO_URL!, mongoExternal: true };
  const id = suffix();
  const topic = `bench-floor-${id}-accepted`;
  const kafka = createKafka(config, `bench-floor-${id}`);
  const admin = kafka.admin();
  const mongo = await connectMongo(config, `bench_floor_${id}`);
  try {
    await admin.connect();
    await ensureTopics(admin, [{ topic, partitions: 4 }]);
    const sink = await createFastSink(config, `bench-floor-${id}`);
    try {
      const g = createGenerator({ seed: 1, start: '2024-05-01T00:00:00Z', eventRate: 500 });
      const texts = Array.from({ length: events }, () => encodeEvent(g.next()));
      const batches = writesOf(texts, new Date());
      const docs = batches.reduce((n, b) => n + b.entries.length + b.facts.length + b.dims.customers.length + b.dims.products.length, 0);
      const steps = pureSteps(partsInput(texts, BATCH));

      const storeRound = async (dbName: string, writes: BatchWrites[], system?: number[]): Promise<number> => {
        const db = mongo.client.db(dbName);
        await ensureSchema(db);
        const store = createMongoStore(db);
        try {
          return await cpuOf(() =>
            forEachLimit(writes, IN_FLIGHT, async (b) => {
              await store.registerOrders(b.entries);
              await Promise.all([store.insertFacts(b.facts), store.insertDimensions(b.dims)]);
            }),
            system,
          );
        } finally {
          await db.dropDatabase().catch(() => undefined);
        }
      };
      const produceRound = (writes: BatchWrites[]): Promise<number> =>
        cpuOf(() =>
          forEachLimit(writes, IN_FLIGHT, async (b) => {
            for (const chunk of chunkMessages(b.accepted)) await sink.send(topic, chunk);
          }),
        );
      const pureRound = async (): Promise<Record<string, number>> => {
        const out: Record<string, number> = {};
        for (const [name, run] of Object.entries(steps)) out[name] = await cpuOf(async () => run());
        return out;
      };

      // Warm-up (JIT, connections, metadata), not reported.
      const warm = batches.slice(0, 2);
      await storeRound(`bench_floor_${id}_warm`, warm);
      await produceRound(warm);
      await pureRound();

      const calibration: number[] = [];
      const calibrate = async (): Promise<void> => {
        const us = await cpuOf(async () => texts.forEach((t) => JSON.parse(t)));
        calibration.push(round2(us / events));
      };
      const by = { store: [] as number[], store_system: [] as number[], producer: [] as number[], pure: [] as number[], pure_by_step: {} as Record<string, number[]> };
      const storeSystem: number[] = [];
      for (let r = 1; r <= rounds; r++) {
        const parts: (() => Promise<void>)[] = [
          async () => {
            by.store.push(round2((await storeRound(`bench_floor_${id}_r${r}`, batches, storeSystem)) / events));
            by.store_system.push(round2(storeSystem.at(-1)! / events));
          },
          async () => void by.producer.push(round2((await produceRound(batches)) / events)),
          async () => {
            const p = await pureRound();
            let sum = 0;
            for (const [name, us] of Object.entries(p)) {
              (by.pure_by_step[name] ??= []).push(round2(us / events));
              sum += us;
            }
            by.pure.push(round2(sum / events));
          },
        ];
        // Rotate the order from round to round, so no part always runs first.
        for (let k = 0; k < parts.length; k++) await parts[(k + r - 1) % parts.length]!();
        await calibrate();
      }
      const med = { store: median(by.store), producer: median(by.producer), pure: median(by.pure) };
      return {
        events,
        rounds,
        batch: BATCH,
        in_flight: IN_FLIGHT,
        store: own ? `FerretDB (private instance) ${own.env.MONGO_URL}` : config.mongoUrl,
        documents_per_event: round2(docs / events),
        cpu_us_per_event_by_round: by,
        median_cpu_us_per_event: med,
        floor_cpu_us_per_event: round2(med.store + med.producer + med.pure),
        calibration_json_parse_us: calibration,
        loadavg_1m: { start: load0, end: os.loadavg()[0]! },
      };
    } finally {
      await sink.close().catch(() => undefined);
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await mongo.close().catch(() => undefined);
    await own?.close();
  }
}

/**
 * runFloorBench in a fresh process (this file under the same Node and loader): `npm run bench`
 * calls it this way because, inside the bench process, the heap left by the earlier parts (their
 * events and documents) made every part of the floor ~2× slower than in a process of its own
 * (2026-12-02 13:12: pure steps 15.2 µs in process against 7.4–8.1 alone).
 */
export async function runFloorBenchInChild(opts: { events?: number; rounds?: number } = {}): Promise<FloorResult> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), ...(opts.events ? ['--events', String(opts.events)] : []), ...(opts.rounds ? ['--rounds', String(opts.rounds)] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 }).catch((cause: unknown) => {
    throw new Error(`bench/ingest-floor.ts in a child process failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  });
  return JSON.parse(stdout) as FloorResult;
}

const USAGE = 'Usage: npx tsx bench/ingest-floor.ts [--events N] [--rounds N] [--own-ferretdb]';
const cli = commandLine({
  usage: USAGE,
  options: {
    events: { type: 'number', min: 1, integer: true },
    rounds: { type: 'number', min: 1, integer: true },
    'own-ferretdb': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { values } = cli.parse(process.argv.slice(2));
  if (values.help) process.stdout.write(USAGE + '\n');
  else {
    const r = await runFloorBench({ events: values.events, rounds: values.rounds, ownFerretdb: values['own-ferretdb'] });
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  }
  process.exit(0);
}
