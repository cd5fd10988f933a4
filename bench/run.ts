/**
 * `npm run bench`: every benchmark in one run, on the same services, so ratios compare like with
 * like. Starts the stack (with the cold-path services), runs the parts in sequence and writes
 * the JSON results to .local/bench/<timestamp>.json plus a summary on stdout.
 *
 *   npm run bench -- [--only generator,ingest,store-bound,ingest-floor,peer,kpi,archive,analytics,kafka-client,faults,replicas,alerts,growth,ferretdb-backends] [--quick] [--hot-cap N] [--faults-rate N] [--help]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { stackUp } from '../dev/stack/api.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { runGeneratorBench } from './generator.ts';
import { benchIngest } from './ingest.ts';
import { runPeerBench } from './peer.ts';
import { benchStoreBound } from './store-bound.ts';
import { runFloorBenchInChild } from './ingest-floor.ts';
import { runKpiBench } from './kpi.ts';
import { runArchiveBench } from './archive.ts';
import { runAnalyticsBench } from './analytics.ts';
import { runKafkaClientBench } from './kafka-client.ts';
import { runFaultsBench } from './faults.ts';
import { runReplicasBench } from './replicas.ts';
import { runAlertsBench } from './alerts.ts';
import { runGrowthBench } from './growth.ts';
import { runFerretdbBackendsBench } from './ferretdb-backends.ts';
import { parseOrExit } from '../shared/platform/args.ts';
import { BENCH_USAGE, parseBenchArgs, summarise, type BenchResults } from './summary.ts';

const log = createLogger({ component: 'bench' });
const args = parseOrExit(BENCH_USAGE, () => parseBenchArgs(process.argv.slice(2)), (a) => a.help);
const config = loadConfig();

// The alerts part runs in process and needs no service.
if (args.parts.some((p) => p !== 'alerts')) {
  await stackUp({ all: args.parts.includes('archive') || args.parts.includes('analytics') });
  await settle();
}
const results: BenchResults = { at: new Date().toISOString() };

/**
 * Services just started (JVMs, Airflow) keep both cores busy for a minute or two; figures taken
 * then are a loaded machine's (a run measured at a 1-min load average of 6 showed function CPU
 * and its floor both ~2× a settled run's). Wait until the 1-min load average is at most 0.5 per
 * core, or 4 minutes at most, and log what was reached.
 */
async function settle(): Promise<void> {
  const limit = os.cpus().length * 0.5;
  const t0 = Date.now();
  const settled = await waitFor(() => os.loadavg()[0]! <= limit, { what: 'the machine to settle', timeoutMs: 240_000, intervalMs: 5_000 }).catch(() => false);
  log.info('bench: machine settled after the services started', { settled, loadavg_1m: Math.round(os.loadavg()[0]! * 100) / 100, waited_s: Math.round((Date.now() - t0) / 1000) });
}
const q = args.quick;

if (args.parts.includes('generator')) {
  log.info('bench: generator (model and Kafka produce rate)');
  results.generator = await runGeneratorBench(q ? { count: 50_000, kafka: true, kafkaCount: 50_000 } : { kafka: true });
}
if (args.parts.includes('ingest')) {
  log.info('bench: ingest end to end vs raw driver writes');
  results.ingest = await benchIngest({ events: q ? 20_000 : 100_000, log });
}
if (args.parts.includes('store-bound')) {
  log.info("bench: the store's bound on the ingest ratio (ingest's own writes, no CPU work, vs raw insertMany; alternating rounds)");
  results.storeBound = await benchStoreBound(q ? { events: 10_000, rounds: 3 } : {});
}
if (args.parts.includes('ingest-floor')) {
  log.info("bench: the floor of ingest's function CPU per event (driver writes + producer + pure steps, in one process)");
  results.ingestFloor = await runFloorBenchInChild(q ? { events: 10_000, rounds: 3 } : {});
}
if (args.parts.includes('peer')) {
  log.info('bench: peer (Kafka Connect + MongoDB sink connector) beside our ingest, same events and store');
  results.peer = await runPeerBench({ events: q ? 20_000 : 100_000, ...(results.ingest ? { ours: results.ingest } : {}), config, log });
}
if (args.parts.includes('kpi')) {
  log.info('bench: event-to-KPI latency and dashboard read latency');
  results.kpi = await runKpiBench(q ? { rates: [1000], seconds: 8, readSeconds: 5 } : { log });
}
if (args.parts.includes('archive')) {
  log.info('bench: archive vs raw storage writes');
  results.archive = await runArchiveBench(q ? { orders: 10_000, config } : { config });
}
if (args.parts.includes('analytics')) {
  log.info('bench: analytics over all history (DuckDB minute cadence vs re-read everything; Spark per executor cores)');
  results.analytics = await runAnalyticsBench({ orders: q ? [20_000] : [100_000, 1_000_000], ...(args.hotCap ? { hotCap: args.hotCap } : {}), config, log });
}
if (args.parts.includes('kafka-client')) {
  log.info('bench: Kafka client consume rate per codec (kafkajs + our codecs vs @platformatic/kafka)');
  results.kafkaClient = await runKafkaClientBench({ messages: q ? 50_000 : 200_000, config });
}
if (args.parts.includes('faults')) {
  log.info('bench: load and faults (10× burst, SIGKILL of each function, restarts of private Kafka, FerretDB, Redis) with exact counts');
  results.faults = await runFaultsBench({ config, log, quick: q, ...(args.faultsRate ? { rate: args.faultsRate } : {}) });
}
if (args.parts.includes('replicas')) {
  log.info('bench: scale-out (1, 2, 4 replicas of ingest and aggregate, 8 partitions), end to end');
  results.replicas = await runReplicasBench({ ...(q ? { events: 10_000, replicas: [1, 4, 4, 1] } : {}), config, log });
}
if (args.parts.includes('alerts')) {
  log.info('bench: alert detectors in process over generated streams (detection delay per incident kind, false alerts per day)');
  results.alerts = runAlertsBench({ quick: q });
}
if (args.parts.includes('growth')) {
  log.info('bench: how cost grows (ingest and archive-move at 1x/4x/16x hot store; KPI per-event cost and Redis memory)');
  results.growth = await runGrowthBench(q ? { base: 5_000, levels: [1, 4], events: 4_000, archive: 2_000, kpiOrders: 20_000, config, log } : { config, log });
}
if (args.parts.includes('ferretdb-backends')) {
  log.info('bench: FerretDB on SQLite vs on PostgreSQL (private instances): inserts, ingest core, reads and deletes by id, size, archive-move');
  results.ferretdbBackends = await runFerretdbBackendsBench(q ? { orders: 5000, reads: 200, archiveOrders: 5000, config, log } : { config, log });
}

const dir = path.join(config.localDir, 'bench');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${results.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(summarise(results) + `\nfull results: ${file}\n`);
process.exit(0);
