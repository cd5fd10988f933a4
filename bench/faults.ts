/**
 * Load and faults (issue 9 item 8), measured from outside: the real pipeline (ingest, aggregate,
 * cache-write, kpi-rebuild behind the local gateway and Kafka connector, the dashboard in-process)
 * on private Kafka, FerretDB and Redis instances (dev/stack/own-service.ts: free ports, own data
 * dirs, so restarting them disturbs nobody), fed seeded generator events with duplicates and
 * malformed ones through an idempotent producer.
 *
 * 1. Burst (its own pipeline): R for 20 s, then 10 × R for 60 s, then R again until every
 *    function's lag is back to the steady level (drain time), then the producer stops and every
 *    lag reaches 0.
 * 2. Faults under load at R (a second fresh pipeline): SIGKILL of each function process (the local
 *    supervisor restarts it), then a restart of Kafka, Redis and FerretDB. Per fault: downtime,
 *    time until every affected function delivered again, time until every lag is 0 once the
 *    load stopped.
 *
 * After each, the exact-count check (bench/faults-check.ts), cumulative per pipeline: messages on the
 * orders topic = acknowledged; facts = distinct valid orders; DLQ records by reason = malformed
 * events produced, by reason; KPI summary orders = distinct valid orders; nothing parked.
 * Lag and delivery are read every 250 ms from the gateway's /metrics.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { CompressionTypes, type Message } from 'kafkajs';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import type { Logger } from '../shared/platform/log.ts';
import { createKafka, createSink, topicPartitionCount, type KafkaSink } from '../shared/adapters/kafka.ts';
import { COLLECTIONS, connectMongo } from '../shared/adapters/mongo.ts';
import { readDlqCounts } from '../shared/quality/adapters/kafka-dlq.ts';
import { parseSamples, select, total, type Samples } from '../shared/platform/testing/prom-text.ts';
import { createMessageStream, type MessageStream } from '../dev/generator/stream.ts';
import { partitionForKey } from '../shared/adapters/kafka-partition.ts';
import { pump, type BatchSender, type PumpResult } from '../dev/generator/pump.ts';
import { startPipeline, type Pipeline } from '../dev/local/pipeline.ts';
import { startOwnService, OWN_SERVICES, type OwnService, type OwnServiceName } from '../dev/stack/own-service.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import { checkCounts, emptyProduced, faultsLines, firstAtOrBelow, peakLag, resumedAt, tally, type CountCheck, type FaultResult, type FaultsBenchResult, type Produced, type Sample } from './faults-check.ts';

export { faultsLines };
export type { FaultsBenchResult };

const FUNCTIONS = ['ingest', 'aggregate', 'cache-write', 'kpi-rebuild'];
/** The functions fed by Kafka, whose lag is followed. */
const FLOW = ['ingest', 'aggregate', 'cache-write'] as const;
/** In this order: a fault the pipeline does not recover from (see docs/operations.md) goes last, so it spoils no other figure. */
export const FAULTS = ['kill-ingest', 'kill-aggregate', 'kill-cache-write', 'restart-kafka', 'restart-redis', 'restart-ferretdb'] as const;

export interface FaultsBenchOptions {
  config: Config;
  log: Logger;
  quick?: boolean;
  /** Sustained rate R (events/s); the burst is 10 × R. Default DEFAULT_RATE. */
  rate?: number;
  seed?: number;
  /** Which faults (default all); [] for the burst alone. */
  faults?: readonly string[];
  burst?: boolean;
}

interface Timing {
  warmMs: number;
  burstMs: number;
  /** Load before and after each fault. */
  aroundMs: number;
  /** Give up waiting for the backlog to drain / every lag to reach 0 / delivery to resume. */
  drainTimeoutMs: number;
  settleTimeoutMs: number;
  resumeTimeoutMs: number;
}

/** R: small enough that a 60 s burst at 10 × R drains within minutes on FerretDB with the machine shared (docs/operations.md). */
export const DEFAULT_RATE = 30;
/** Exact redeliveries and malformed events, as the demo's live generator (1 % and 0.5 %), rounded up. */
const DUP_RATE = 0.01;
const BAD_RATE = 0.01;
const DEFAULT: Timing = { warmMs: 20_000, burstMs: 60_000, aroundMs: 5_000, drainTimeoutMs: 180_000, settleTimeoutMs: 60_000, resumeTimeoutMs: 60_000 };
const QUICK: Timing = { warmMs: 8_000, burstMs: 15_000, aroundMs: 3_000, drainTimeoutMs: 90_000, settleTimeoutMs: 45_000, resumeTimeoutMs: 45_000 };

/** What each fault takes away: the functions whose delivery must resume. */
function affected(fault: string): string[] {
  if (fault.startsWith('kill-')) return [fault.slice('kill-'.length)];
  if (fault === 'restart-ferretdb') return ['ingest'];
  if (fault === 'restart-redis') return ['aggregate', 'cache-write'];
  return [...FLOW];
}

interface Phase {
  config: Config;
  pipeline: Pipeline;
  produced: Produced;
  samples: Sample[];
  /** Produce at `rate` for `durationMs` (or until `signal`). */
  produce(rate: number, durationMs: number | undefined, signal?: AbortSignal): Promise<PumpResult>;
  /** Every lag 0 (in a sample taken after `from`) and the KPIs counting every order: when; undefined after the timeout. */
  settle(from: number, timeoutMs: number): Promise<number | undefined>;
  check(): Promise<CountCheck>;
  close(): Promise<void>;
}

/**
 * A fresh pipeline on the private services: its own topics, database, KPI prefix and consumer
 * groups, the dashboard in-process, an idempotent producer, and the /metrics sampler.
 */
async function startPhase(name: string, services: Map<OwnServiceName, OwnService>, rate: number, seed: number, now: () => number, log: Logger): Promise<Phase> {
  const sfx = `${name}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    ...Object.assign({}, ...[...services.values()].map((s) => s.env)),
    TOPIC_ORDERS: `faults-${sfx}-orders`,
    TOPIC_DLQ: `faults-${sfx}-dlq`,
    TOPIC_ACCEPTED: `faults-${sfx}-accepted`,
    TOPIC_DELTAS: `faults-${sfx}-deltas`,
    MONGO_DB: `bench_faults_${sfx}`.replace(/-/g, '_'),
    KPI_PREFIX: `bench:faults:${sfx}:`,
    // Lag measured often, so "back to 0" is seen within 250 ms.
    METRICS_LAG_INTERVAL_MS: '250',
    HIVE_METASTORE_URI: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  const pipeline = await startPipeline({ env, only: FUNCTIONS, gatewayPort: 0, kafka: { groupPrefix: `faults-${sfx}-` }, cron: false, dashboard: false, log, restartBackoff: { initialMs: 100, maxMs: 1000 } });
  let dashboard: Dashboard | undefined;
  let sink: KafkaSink | undefined;
  let sampling = true;
  let sampler: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    sampling = false;
    await sampler?.catch(() => undefined);
    await sink?.close().catch(() => undefined);
    await pipeline.stop().catch(() => undefined);
    await dashboard?.close().catch(() => undefined);
  };
  try {
    dashboard = await startDashboard({ config, port: 0, log });
    const dashboardUrl = dashboard.url;
    // Producer: idempotent (acks=all), keyed and partitioned like the generator; counts what Kafka acknowledged.
    const kafka = createKafka(config, 'bench-faults');
    sink = await createSink(kafka);
    const producer = sink.producer;
    const topic = config.topics.orders;
    const partitions = await topicPartitionCount(kafka, topic);
    const produced = emptyProduced();
    const sender: BatchSender = {
      async send(batch) {
        const messages: Message[] = batch.map((m) => ({ key: m.key, value: m.value, partition: partitionForKey(m.key, partitions) }));
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
        tally(produced, batch);
      },
    };
    const stream: MessageStream = createMessageStream({ seed, start: Date.now(), eventRate: rate, dupRate: DUP_RATE, badRate: BAD_RATE });

    // Monitor: the gateway's /metrics every 250 ms.
    const samples: Sample[] = [];
    let last: Samples | undefined;
    sampler = (async () => {
      while (sampling) {
        const t = now();
        const r = await pipeline.gatewayFetch('/metrics', { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
        const s = r?.ok ? parseSamples(await r.text()) : undefined;
        if (s) {
          last = s;
          const lag: Record<string, number> = {};
          const delivered: Record<string, number> = {};
          for (const fn of FLOW) {
            if (select(s, 'orderpulse_connector_consumer_lag', { function: fn }).length > 0) lag[fn] = total(s, 'orderpulse_connector_consumer_lag', { function: fn });
            delivered[fn] = total(s, 'orderpulse_connector_delivered_messages_total', { function: fn });
          }
          samples.push({ t, lag, delivered });
        }
        await new Promise((res) => setTimeout(res, Math.max(0, 250 - (now() - t))));
      }
    })();

    const kpiOrders = async (): Promise<number> => {
      const r = await fetch(`${dashboardUrl}/api/kpis/summary`, { signal: AbortSignal.timeout(5_000) });
      return r.ok ? ((await r.json()) as { orders: number }).orders : -1;
    };
    return {
      config,
      pipeline,
      produced,
      samples,
      produce: (r, durationMs, signal) =>
        pump({ source: stream, sender, rate: r, ...(durationMs === undefined ? {} : { durationMs }), ...(signal ? { signal } : {}), attempts: 1000, onError: (err, attempt) => log.warn('bench producer: send failed, retrying', { attempt, err: String(err) }) }),
      async settle(from, timeoutMs) {
        try {
          return await waitFor(
            async () => {
              const s = samples.at(-1);
              if (!s || s.t < from + 500 || firstAtOrBelow([s], from, FLOW, 0) === undefined) return undefined;
              return (await kpiOrders().catch(() => -1)) === produced.orders ? now() : undefined;
            },
            { timeoutMs, intervalMs: 250, what: 'every lag 0 and the KPIs counting every order' },
          );
        } catch {
          return undefined;
        }
      },
      async check() {
        const admin = kafka.admin();
        await admin.connect();
        const offs = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
        const mongo = await connectMongo(config);
        const facts = await mongo.db.collection(COLLECTIONS.fact).countDocuments().finally(() => mongo.close());
        const dlq = await readDlqCounts(kafka, config.topics.dlq, { timeoutMs: 60_000 });
        const c = checkCounts(produced, {
          topicMessages: offs.reduce((n, x) => n + Number(x.high) - Number(x.low), 0),
          facts,
          dlqByReason: dlq.by_reason,
          dlqRedelivered: dlq.redelivered,
          kpiOrders: await kpiOrders().catch(() => -1),
          parked: last ? total(last, 'orderpulse_connector_parked_batches_total') : 0,
        });
        log.info('count check', { phase: name, ok: c.ok, equation: c.equation, problems: c.problems });
        return c;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function addProduced(into: Produced, p: Produced): void {
  into.messages += p.messages;
  into.orders += p.orders;
  into.duplicates += p.duplicates;
  for (const [k, v] of Object.entries(p.bad)) into.bad[k] = (into.bad[k] ?? 0) + v;
}

export async function runFaultsBench(o: FaultsBenchOptions): Promise<FaultsBenchResult> {
  const t0 = Date.now();
  const now = (): number => Date.now() - t0;
  const timing = o.quick ? QUICK : DEFAULT;
  const rate = o.rate ?? DEFAULT_RATE;
  const seed = o.seed ?? 42;
  const log = o.log.child({ bench: 'faults' });
  const loadavg = (): [number, number, number] => os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number];
  const loads: [number, number, number][] = [loadavg()];
  const services = new Map<OwnServiceName, OwnService>();
  const result: FaultsBenchResult = { quick: o.quick ?? false, seed, rate, load_average: loads, produced: emptyProduced(), faults: [], skipped: {}, seconds: 0 };
  let phase: Phase | undefined;
  // Ctrl-C: the private services are detached processes; stop them before leaving.
  const onSignal = (): void => {
    void Promise.allSettled([phase?.close(), ...[...services.values()].map((s) => s.close())]).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log.info('starting private Kafka, FerretDB and Redis');
    await Promise.all(OWN_SERVICES.map(async (n) => services.set(n, await startOwnService(n, o.config, log))));

    if (o.burst !== false) {
      phase = await startPhase('burst', services, rate, seed, now, log);
      const { samples, produce } = phase;
      log.info(`burst: ${rate} ev/s for ${timing.warmMs / 1000} s, ${rate * 10} ev/s for ${timing.burstMs / 1000} s, then ${rate} ev/s until drained`);
      const warm = await produce(rate, timing.warmMs);
      const tb0 = now();
      const steadyPeak = peakLag(samples, tb0 - timing.warmMs / 2, tb0, FLOW);
      const burst = await produce(rate * 10, timing.burstMs);
      const tb1 = now();
      loads.push(loadavg());
      const threshold = Math.max(steadyPeak, Math.ceil(rate / 4));
      const ac = new AbortController();
      const after = produce(rate, undefined, ac.signal);
      let drained: number | undefined;
      try {
        drained = await waitFor(() => firstAtOrBelow(samples, tb1, FLOW, threshold), { timeoutMs: timing.drainTimeoutMs, intervalMs: 250, what: 'the backlog to drain' });
      } catch {
        drained = undefined;
      }
      ac.abort();
      await after;
      const zero = await phase.settle(now(), timing.settleTimeoutMs);
      const end = zero ?? now();
      const at = (t: number): number => samples.filter((x) => x.t <= t).at(-1)?.delivered.ingest ?? 0;
      result.burst = {
        rate,
        burst_rate: rate * 10,
        burst_s: timing.burstMs / 1000,
        achieved_rate: warm.rate,
        achieved_burst_rate: burst.rate,
        steady_peak_lag: steadyPeak,
        peak_lag: peakLag(samples, tb0, now(), FLOW),
        drain_ms: drained === undefined ? undefined : drained - tb1,
        drain_threshold: threshold,
        zero_ms: zero === undefined ? undefined : zero - tb1,
        ingest_drain_rate: end > tb1 ? ((at(end) - at(tb1)) * 1000) / (end - tb1) : 0,
        check: await phase.check(),
      };
      log.info('burst done', { ...result.burst });
      addProduced(result.produced, phase.produced);
      await phase.close();
      phase = undefined;
    }

    const faults = o.faults ?? FAULTS;
    if (faults.length > 0) {
      phase = await startPhase('faults', services, rate, seed + 1, now, log);
      const p = phase;
      for (const fault of faults) {
        log.info(`fault under load (${rate} ev/s): ${fault}`);
        const ac = new AbortController();
        const load = p.produce(rate, undefined, ac.signal);
        await sleep(timing.aroundMs);
        const tf = now();
        let back: number;
        if (fault.startsWith('kill-')) {
          const fn = fault.slice('kill-'.length);
          const proc = p.pipeline.functions.get(fn)?.proc;
          if (!proc?.pid) throw new Error(`no running process for ${fn}`);
          const pid = proc.pid;
          process.kill(pid, 'SIGKILL');
          back = await waitFor(() => proc.state === 'ready' && proc.pid !== pid && now(), { timeoutMs: 60_000, intervalMs: 20, what: `${fn} to be restarted` });
        } else {
          await services.get(fault.slice('restart-'.length) as OwnServiceName)!.restart();
          back = now();
        }
        const fns = affected(fault);
        // Counted from when the function or service is back (a delivery seen just after a SIGKILL was answered before it).
        const from = back;
        let resumed: number | undefined;
        try {
          resumed = await waitFor(
            () => {
              const ts = fns.map((fn) => resumedAt(p.samples, fn, from));
              return ts.every((t) => t !== undefined) ? Math.max(...(ts as number[])) : undefined;
            },
            { timeoutMs: timing.resumeTimeoutMs, intervalMs: 100, what: `delivery to resume after ${fault}` },
          );
        } catch {
          resumed = undefined;
        }
        await sleep(timing.aroundMs);
        ac.abort();
        await load;
        const stopAt = now();
        const zero = await p.settle(stopAt, timing.settleTimeoutMs);
        const r: FaultResult = {
          fault,
          downtime_ms: back - tf,
          resumed_ms: resumed === undefined ? undefined : resumed - tf,
          caught_up_ms: zero === undefined ? undefined : zero - stopAt,
          peak_lag: peakLag(p.samples, tf, now(), FLOW),
          check: await p.check(),
        };
        result.faults.push(r);
        log.info('fault done', { ...r });
      }
      addProduced(result.produced, p.produced);
    }
    loads.push(loadavg());
  } finally {
    await phase?.close();
    await Promise.all([...services.values()].map((s) => s.close()));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    result.seconds = Math.round((Date.now() - t0) / 1000);
  }
  return result;
}
