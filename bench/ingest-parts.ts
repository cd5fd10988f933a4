/**
 * CPU per event of ingest's pure steps (issue 10 item 2), in this process, no I/O: the batch
 * body's JSON.parse and decodeBatch (as the function receives a KafkaBatch), validateOrder on the
 * decoded Buffer and on the text, canonical JSON, SHA-256, the fact document and the dimension
 * rows. Generator events, alternating rounds. `pureSteps` is the part of it bench/ingest-floor.ts
 * counts in the floor: what ingest does per event outside the store and the producer.
 *
 *   npx tsx bench/ingest-parts.ts [--events N] [--rounds N]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import { validateOrder, type ValidOrder } from '../shared/contract/validate.ts';
import { canonicalJson, sha256Hex } from '../shared/contract/canonical.ts';
import { decodeBatch, encodeBatch } from '../shared/delivery/kafka-batch.ts';
import { buildFact, customerRow, productRow } from '../shared/ingest/documents.ts';
import { ingestBatch } from '../shared/ingest/ingest.ts';
import { createDimCache } from '../shared/ingest/dim-cache.ts';
import type { IngestStore } from '../shared/ingest/types.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEvent } from '../dev/generator/encode.ts';

/** Event texts as ingest receives them: the texts, and one KafkaBatch body per `batch` of them (keyed by order_id). */
export function partsInput(texts: string[], batch = 2000): { texts: string[]; bodies: Buffer[] } {
  const bodies: Buffer[] = [];
  for (let i = 0; i < texts.length; i += batch) {
    const slice = texts.slice(i, i + batch).map((t, j) => ({ offset: String(i + j), key: Buffer.from((JSON.parse(t) as { order_id: string }).order_id, 'utf8'), value: Buffer.from(t, 'utf8'), timestamp: '0', headers: [] }));
    bodies.push(encodeBatch('orders', 0, slice));
  }
  return { texts, bodies };
}

/**
 * The pure steps of ingest, one function per step, over the same input (each returns nothing:
 * results are dropped, as ingest drops them once written).
 */
export function pureSteps(input: { texts: string[]; bodies: Buffer[] }): Record<string, () => void> {
  const { texts, bodies } = input;
  const valid = texts.map((t) => validateOrder(t, { maxBytes: 65536, key: null }) as ValidOrder);
  const json = valid.map((v) => canonicalJson(v.event));
  const hashes = json.map((j) => sha256Hex(j));
  const now = new Date();
  return {
    'body toString + JSON.parse + decodeBatch': () => bodies.forEach((b) => void decodeBatch(JSON.parse(b.toString('utf8')))),
    'validateOrder(text)': () => texts.forEach((t) => validateOrder(t, { maxBytes: 65536, key: null })),
    canonicalJson: () => valid.forEach((v) => canonicalJson(v.event)),
    sha256Hex: () => json.forEach((j) => sha256Hex(j)),
    buildFact: () => valid.forEach((v, i) => buildFact(v.event, v.timestampMs, hashes[i]!, now)),
    'customerRow + productRow': () => valid.forEach((v) => (customerRow(v.event), productRow(v.event))),
  };
}

/** CPU µs per event of each step, per round (steps alternate within a round). */
export function runSteps(steps: Record<string, () => void>, events: number, rounds: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(steps)) {
      const c0 = process.cpuUsage();
      run();
      const c = process.cpuUsage(c0);
      (out[name] ??= []).push(Math.round(((c.user + c.system) / events) * 100) / 100);
    }
  }
  return out;
}

/**
 * The whole core, `ingestBatch` on decoded batches (the body parse excluded), against a store
 * and a sink that drop what they are given (every order new): validation, hashing, documents and
 * the core's own bookkeeping, no driver, no producer.
 */
export async function coreCpuPerEvent(bodies: Buffer[], events: number): Promise<number> {
  const batches = bodies.map((b) => decodeBatch(JSON.parse(b.toString('utf8'))));
  let facts = 0;
  const store: IngestStore = {
    registerOrders: async () => ({ duplicates: [] }),
    registered: async () => new Map(),
    insertFacts: async (docs) => ((facts += docs.length), { duplicates: [] }),
    factHashes: async () => new Map(),
    insertDimensions: async () => undefined,
  };
  const deps = { store, sink: { send: async () => undefined }, topics: { dlq: 'dlq', accepted: 'accepted' }, maxEventBytes: 65536, dimCache: createDimCache() };
  const c0 = process.cpuUsage();
  // 4 batches in flight, as the function runs them.
  for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map((b) => ingestBatch(b, deps)));
  const c = process.cpuUsage(c0);
  if (facts !== events) throw new Error(`expected ${events} facts, got ${facts}`);
  return Math.round(((c.user + c.system) / events) * 100) / 100;
}

export function measureParts(events: number, rounds: number): Record<string, number[]> {
  const g = createGenerator({ seed: 7, start: '2026-01-01T00:00:00Z' });
  const input = partsInput(Array.from({ length: events }, () => encodeEvent(g.next())));
  const bufs = input.texts.map((t) => Buffer.from(t, 'utf8'));
  const steps: Record<string, () => void> = {
    ...pureSteps(input),
    'validateOrder(Buffer)': () => bufs.forEach((b) => validateOrder(b, { maxBytes: 65536, key: null })),
    'JSON.parse(text)': () => input.texts.forEach((t) => JSON.parse(t)),
    'Buffer.from(text) (decodeBatch per value)': () => input.texts.forEach((t) => Buffer.from(t, 'utf8')),
  };
  return runSteps(steps, events, rounds);
}

const USAGE = 'Usage: npx tsx bench/ingest-parts.ts [--events N] [--rounds N]';
const cli = commandLine({
  usage: USAGE,
  options: {
    events: { type: 'number', min: 1, integer: true },
    rounds: { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { values } = cli.parse(process.argv.slice(2));
  if (values.help) process.stdout.write(USAGE + '\n');
  else {
    const events = values.events ?? 20_000;
    const rounds = values.rounds ?? 5;
    const byRound = measureParts(events, rounds);
    const g = createGenerator({ seed: 7, start: '2026-01-01T00:00:00Z' });
    const { bodies } = partsInput(Array.from({ length: events }, () => encodeEvent(g.next())));
    const core: number[] = [];
    for (let r = 0; r < rounds; r++) core.push(await coreCpuPerEvent(bodies, events));
    process.stdout.write(JSON.stringify({ events, cpu_us_per_event_by_round: { ...byRound, 'ingestBatch (no-op store and sink)': core } }, null, 2) + '\n');
  }
}
