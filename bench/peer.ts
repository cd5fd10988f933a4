/**
 * The peer in the same run (issue 10, item 1): our ingest beside Kafka Connect with the official
 * MongoDB sink connector, on the same FerretDB, with the same generated events. In one run:
 *   1. our ingest end to end (bench/ingest.ts's measurement: real gateway + Kafka connector +
 *      ingest function process, validation, DLQ and dimensions on), unless the caller passes the
 *      result of that measurement from the same run;
 *   2. starts the Kafka Connect standalone worker (dev/stack/kafka-connect.ts; stopped again
 *      afterwards if this run started it), produces the same events (same generator, seed and
 *      start) to a topic of its own (4 partitions), and measures two sink connectors reading it,
 *      each into its own database: the default write model (replace-one upsert by an id taken
 *      from order_id), time-boxed because it is slow, and the fastest configuration (insert-only,
 *      unordered, 4 tasks, large polls); each from the connector's creation (REST) until the
 *      database counts all documents (or the time box ends);
 *   3. raw `insertMany` (ordered:false, 2000 per batch, 1 and 4 at a time, best kept) of the same
 *      documents (the events as JSON documents) into a fresh collection: the store's ceiling;
 * and prints one JSON object with the rates and ratios (ours / peer fastest, ours / peer
 * default, ours / raw). `npx tsx bench/peer.ts [--events N] [--seed S] [--poll N] [--help]`.
 * Needs the stack: `npm run stack -- up`.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Admin, Producer } from 'kafkajs';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { ServiceError } from '../shared/platform/errors.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { connectMongo, type MongoHandle } from '../shared/adapters/mongo.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { stackDown, stackUp, contextFor } from '../dev/stack/api.ts';
import { connectUrl, kafkaConnectService, MONGO_KAFKA_CONNECT_VERSION } from '../dev/stack/kafka-connect.ts';
import { KAFKA_VERSION } from '../dev/stack/kafka.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createTopic, deleteTopics, produceRaw, suffix } from '../tests/corpus/kafka-io.ts';
import { benchIngest, type IngestBenchResult } from './ingest.ts';
import { failureOf, rate, ratio, renderProperties, sinkConfig, type ConnectorStatus, type PeerKind } from './peer-config.ts';

export interface PeerBenchOptions {
  /** Events (default 100,000). */
  events?: number;
  seed?: number;
  /** Our ingest's result from the same run (same events and seed); measured here when absent. */
  ours?: IngestBenchResult;
  /** The default (upsert) connector's time box: stop at this many documents or seconds (default 5,000 / 60). */
  defaultCapDocs?: number;
  defaultCapSeconds?: number;
  /** fastest: records per poll = per bulk write (default 5000), tasks (default 4). */
  maxPollRecords?: number;
  tasks?: number;
  timeoutMs?: number;
  config?: Config;
  log?: Logger;
}

export interface PeerRun {
  kind: PeerKind;
  connector: Record<string, string>;
  docs: number;
  seconds: number;
  docs_per_s: number;
  /** Between 10 % and 90 % of the documents (start-up excluded; as ours' steady rate); absent when time-boxed. */
  steady_docs_per_s?: number;
  /** True when the time box ended the measurement before all events were written. */
  capped: boolean;
  /** 1-minute load average when the measurement started (the machine is shared). */
  loadavg_1m: number;
}

export interface PeerBenchResult {
  events: number;
  seed: number;
  ours: { events_per_s: number; steady_events_per_s: number; mode: string; measured: 'here' | 'ingest part of this run'; loadavg_1m: number };
  peer_default: PeerRun;
  peer_fastest: PeerRun;
  raw_insert_many: { docs_per_s: number; concurrency: number; by_concurrency: Record<string, number>; batch: number };
  ratios: { ours_to_peer_fastest: number; ours_to_peer_default: number; ours_to_raw: number; peer_fastest_to_raw: number };
  target: { ours_to_peer_fastest: number; met: boolean };
  peer: { kafka_connect: string; mongo_kafka_connect: string; rest: string };
  machine: { cpus: number; loadavg_1m_start: number; loadavg_1m_end: number; store: string };
}

const PARTITIONS = 4;
const RAW_BATCH = 2000;
/** How often the connector's committed offsets are read. */
const POLL_MS = 250;
const GENERATOR = { start: '2024-05-01T00:00:00Z', eventRate: 500 } as const;

const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

/** The benchmark's events: the same generator, seed and start as bench/ingest.ts. */
function generate(total: number, seed: number): Buffer[] {
  const g = createGenerator({ seed, ...GENERATOR });
  return Array.from({ length: total }, () => encodeEventBuffer(g.next()));
}

/** A tiny client of the Connect REST API (only what the benchmark needs). */
function connectRest(base: string): {
  put(name: string, config: Record<string, string>): Promise<void>;
  status(name: string): Promise<ConnectorStatus | undefined>;
  remove(name: string): Promise<void>;
} {
  const call = async (method: string, p: string, body?: unknown): Promise<Response> => {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(30_000) };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch(`${base}${p}`, init);
  };
  return {
    async put(name, config) {
      const r = await call('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
      if (!r.ok) throw new ServiceError('kafka-connect', `PUT /connectors/${name}/config answered ${r.status}: ${await r.text()}`);
    },
    async status(name) {
      const r = await call('GET', `/connectors/${encodeURIComponent(name)}/status`);
      return r.ok ? ((await r.json()) as ConnectorStatus) : undefined;
    },
    async remove(name) {
      const r = await call('DELETE', `/connectors/${encodeURIComponent(name)}`);
      if (!r.ok && r.status !== 404) throw new ServiceError('kafka-connect', `DELETE /connectors/${name} answered ${r.status}: ${await r.text()}`);
    },
  };
}

/**
 * One sink connector from creation until the collection holds `target` documents, or `capSeconds`
 * pass (then the rate is over what was written so far). Counts come from the database.
 */
async function measureConnector(
  rest: ReturnType<typeof connectRest>,
  h: MongoHandle,
  p: { kind: PeerKind; name: string; config: Record<string, string>; propsDir?: string; committed: () => Promise<number>; target: number; capSeconds: number; timeoutMs: number; log: Logger },
): Promise<PeerRun> {
  const coll = h.db.collection(p.config.collection!);
  // The same configuration as a standalone connector file, for anyone re-running it by hand.
  if (p.propsDir) writeFileSync(path.join(p.propsDir, `sink-${p.kind}.properties`), renderProperties(p.name, p.config, 'Written by bench/peer.ts: the last peer run\'s connector (ConnectStandalone worker.properties <this file>)'));
  const load = os.loadavg()[0]!;
  const t0 = performance.now();
  await rest.put(p.name, p.config);
  // Progress comes from the connector's committed offsets (cheap, on the broker; a sink task
  // commits only what it has written, every second: worker offset.flush.interval.ms), not from
  // counting the collection while it is measured: on FerretDB a count of 100,000 documents takes
  // 3-9 s of the store's time. The end is confirmed by counting the database once.
  let written = 0;
  let lastLog = t0;
  let lastStatus = t0;
  let capped = false;
  let failed: string | undefined;
  let t10: { t: number; docs: number } | undefined;
  let t90: { t: number; docs: number } | undefined;
  let end = t0;
  try {
    await waitFor(
      async () => {
        written = await p.committed();
        const now = performance.now();
        if (t10 === undefined && written >= p.target * 0.1) t10 = { t: now, docs: written };
        if (t90 === undefined && written >= p.target * 0.9) t90 = { t: now, docs: written };
        if (written >= p.target) return (end = now);
        if ((now - t0) / 1000 >= p.capSeconds) {
          capped = true;
          return (end = now);
        }
        if (now - lastStatus > 2000) {
          lastStatus = now;
          failed = failureOf(await rest.status(p.name));
          if (failed) return (end = now);
        }
        if (now - lastLog > 5000) {
          lastLog = now;
          p.log.info('peer progress', { kind: p.kind, committed: written, target: p.target, docs_per_s: Math.round(written / ((now - t0) / 1000)) });
        }
        return false;
      },
      { timeoutMs: p.timeoutMs, intervalMs: POLL_MS, what: `sink connector ${p.name} writing ${p.target} documents (see .local/kafka-connect/kafka-connect.log)` },
    );
    if (failed) throw new ServiceError('kafka-connect', `sink connector ${p.name} ${failed} after ${written} documents (see .local/kafka-connect/kafka-connect.log)`);
  } finally {
    await rest.remove(p.name).catch(() => undefined);
  }
  const docs = await coll.estimatedDocumentCount();
  if (!capped && docs < p.target) throw new Error(`sink connector ${p.name}: offsets committed for ${written} records but the database counts ${docs} documents`);
  const seconds = (end - t0) / 1000;
  // Time-boxed: the database count (a little above the committed offsets: the last second's writes).
  const steady = !capped && t10 && t90 && t90.t > t10.t ? { steady_docs_per_s: round(rate(t90.docs - t10.docs, (t90.t - t10.t) / 1000)) } : {};
  return { kind: p.kind, connector: p.config, docs, seconds: round(seconds, 2), docs_per_s: round(rate(docs, seconds)), ...steady, capped, loadavg_1m: round(load, 2) };
}

/** Raw insertMany of the events as documents, `concurrency` batches at a time. */
async function rawInsertMany(h: MongoHandle, docs: Record<string, unknown>[], concurrency: number): Promise<number> {
  const coll = h.db.collection(`raw_c${concurrency}`);
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < docs.length; i += RAW_BATCH) chunks.push(docs.slice(i, i + RAW_BATCH).map((d) => ({ ...d })));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) await coll.insertMany(chunks[next++]!, { ordered: false });
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const n = await coll.estimatedDocumentCount();
  if (n !== docs.length) throw new Error(`raw insertMany wrote ${n} of ${docs.length} documents`);
  return docs.length / s;
}

export async function runPeerBench(opts: PeerBenchOptions = {}): Promise<PeerBenchResult> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger({ bench: 'peer' });
  const total = opts.events ?? 100_000;
  const seed = opts.seed ?? 1;
  const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
  const load0 = os.loadavg()[0]!;

  // 1. Ours (before the Connect JVM exists, so it does not share the CPUs with it).
  let ours = opts.ours;
  const measured = ours ? 'ingest part of this run' : 'here';
  if (!ours) {
    log.info('peer: our ingest end to end (bench/ingest.ts)', { events: total });
    ours = await benchIngest({ events: total, seed, log });
  } else if (ours.events !== total) {
    throw new Error(`ours measured ${ours.events} events, the peer would write ${total}: pass the same count`);
  }

  // 2. The peer.
  const connectCtx = contextFor(kafkaConnectService, config, log);
  const wasUp = await kafkaConnectService.healthy(connectCtx);
  await stackUp({ only: ['kafka-connect'], config, log });
  const id = suffix();
  const topic = `bench-peer-${id}-orders`;
  const dbs = { default: `bench_peer_${id}_default`, fastest: `bench_peer_${id}_fastest`, raw: `bench_peer_${id}_raw` };
  const kafka = createKafka(config, `bench-peer-${id}`, log.child({ component: 'kafkajs' }));
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const handles: MongoHandle[] = [];
  const open = async (db: string): Promise<MongoHandle> => {
    const h = await connectMongo(config, db);
    handles.push(h);
    return h;
  };
  const rest = connectRest(connectUrl(config.kafkaConnectPort));
  /** Records the connector `name` has committed on `topic` (sum over partitions; group `connect-<name>`). */
  const committed = (name: string) => async (): Promise<number> => {
    const r = await admin.fetchOffsets({ groupId: `connect-${name}`, topics: [topic] });
    return r.flatMap((t) => t.partitions).reduce((a, x) => a + Math.max(0, Number(x.offset)), 0);
  };
  try {
    await admin.connect();
    await producer.connect();
    await createTopic(admin, topic, PARTITIONS);
    const bytes = generate(total, seed);
    await produceRaw(producer, topic, bytes.map((b) => ({ key: (JSON.parse(b.toString('utf8')) as { order_id: string }).order_id, bytes: b })), { maxBytes: 1024 * 1024 });
    log.info('peer: produced', { topic, events: total });
    const connectionUri = config.mongoUrl;
    const capDocs = Math.min(total, opts.defaultCapDocs ?? 5_000);
    const capSeconds = opts.defaultCapSeconds ?? 60;

    log.info('peer: MongoDB sink connector, default write model (replace-one upsert by order_id)', { capDocs, capSeconds });
    const hDefault = await open(dbs.default);
    const peerDefault = await measureConnector(rest, hDefault, {
      kind: 'default',
      name: `bench-peer-${id}-default`,
      committed: committed(`bench-peer-${id}-default`),
      config: sinkConfig('default', { topic, connectionUri, database: dbs.default, collection: 'orders' }),
      propsDir: connectCtx.dir,
      target: capDocs,
      capSeconds,
      timeoutMs: (capSeconds + 120) * 1000,
      log,
    });
    log.info('peer: default measured', { docs: peerDefault.docs, docs_per_s: peerDefault.docs_per_s, capped: peerDefault.capped });

    log.info('peer: MongoDB sink connector, fastest (insert-only, unordered, 4 tasks)');
    const hFastest = await open(dbs.fastest);
    const peerFastest = await measureConnector(rest, hFastest, {
      kind: 'fastest',
      name: `bench-peer-${id}-fastest`,
      committed: committed(`bench-peer-${id}-fastest`),
      config: sinkConfig('fastest', { topic, connectionUri, database: dbs.fastest, collection: 'orders', tasks: opts.tasks ?? PARTITIONS, ...(opts.maxPollRecords ? { maxPollRecords: opts.maxPollRecords } : {}) }),
      propsDir: connectCtx.dir,
      target: total,
      capSeconds: Number.POSITIVE_INFINITY,
      timeoutMs,
      log,
    });
    log.info('peer: fastest measured', { docs: peerFastest.docs, docs_per_s: peerFastest.docs_per_s });
    if (!wasUp) await stackDown({ only: ['kafka-connect'], config, log });

    // 3. The ceiling: the same documents through the driver.
    const docs = bytes.map((b) => JSON.parse(b.toString('utf8')) as Record<string, unknown>);
    const hRaw = await open(dbs.raw);
    const byConcurrency: Record<string, number> = {};
    for (const c of [1, PARTITIONS]) {
      byConcurrency[String(c)] = round(await rawInsertMany(hRaw, docs, c));
      log.info('peer: raw insertMany', { concurrency: c, docs_per_s: byConcurrency[String(c)] });
    }
    const best = Object.entries(byConcurrency).sort((a, b) => b[1] - a[1])[0]!;

    const eps = ours.ingest.events_per_s;
    const toFastest = ratio(eps, peerFastest.docs_per_s);
    return {
      events: total,
      seed,
      ours: { events_per_s: eps, steady_events_per_s: ours.ingest.steady_events_per_s, mode: ours.mode, measured, loadavg_1m: ours.machine.loadavg_1m_start },
      peer_default: peerDefault,
      peer_fastest: peerFastest,
      raw_insert_many: { docs_per_s: best[1], concurrency: Number(best[0]), by_concurrency: byConcurrency, batch: RAW_BATCH },
      ratios: { ours_to_peer_fastest: toFastest, ours_to_peer_default: ratio(eps, peerDefault.docs_per_s), ours_to_raw: ratio(eps, best[1]), peer_fastest_to_raw: ratio(peerFastest.docs_per_s, best[1]) },
      target: { ours_to_peer_fastest: 1, met: toFastest >= 1 },
      peer: { kafka_connect: KAFKA_VERSION, mongo_kafka_connect: MONGO_KAFKA_CONNECT_VERSION, rest: connectUrl(config.kafkaConnectPort) },
      machine: { cpus: os.cpus().length, loadavg_1m_start: round(load0, 2), loadavg_1m_end: round(os.loadavg()[0]!, 2), store: config.mongoExternal ? 'MONGO_URL' : 'FerretDB v1.24.2 (SQLite)' },
    };
  } finally {
    for (const h of handles) {
      await h.db.dropDatabase().catch(() => undefined);
      await h.close().catch(() => undefined);
    }
    await deleteTopics(admin, [topic]).catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    if (!wasUp) await stackDown({ only: ['kafka-connect'], config, log }).catch(() => undefined);
  }
}

const USAGE = `Usage: npx tsx bench/peer.ts [options]

Our ingest beside Kafka Connect's MongoDB sink connector (default and fastest configurations)
and raw insertMany, same events, same FerretDB; prints one JSON object.
Needs the stack: npm run stack -- up (Kafka Connect is started here, and stopped if started here).

  --events N       events (default 100000)
  --seed S         generator seed (default 1)
  --poll N         fastest connector: records per poll / bulk write (default 5000)
  --tasks N        fastest connector: tasks (default 4)
  --ours FILE      skip our ingest: take it from a bench/ingest.ts JSON result of the same events
  -h, --help       this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    events: { type: 'number', min: 1, integer: true },
    seed: { type: 'number', min: 0, integer: true },
    poll: { type: 'number', min: 1, integer: true },
    tasks: { type: 'number', min: 1, integer: true },
    ours: { type: 'string', value: 'FILE' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  const { readFileSync } = await import('node:fs');
  const ours = v.ours ? (JSON.parse(readFileSync(v.ours, 'utf8')) as IngestBenchResult) : undefined;
  runPeerBench({ events: v.events ?? ours?.events, seed: v.seed, maxPollRecords: v.poll, tasks: v.tasks, ...(ours ? { ours } : {}) }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      createLogger({ bench: 'peer' }).error('benchmark failed (is the stack up? npm run stack -- status)', { err });
      process.exit(1);
    },
  );
}
