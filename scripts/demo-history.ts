/**
 * The demo's history phase (`npm run demo` runs it before going live): seeded orders of the past
 * days, up to now, through the real pipeline (Kafka `orders` → ingest → KPIs), then the oldest
 * part archived by the real `archive-move` function, then one `analytics` run (when the pipeline
 * has that function), so every chart and the History section are full from the first look.
 *
 *   1. skip when the KPIs already count orders (an earlier demo on this stack: the history is
 *      there; sending it again would only add a second, different history);
 *   2. send the planned segments (scripts/demo-history-plan.ts) as fast as Kafka takes them: first
 *      the orders older than the archive cutoff, wait until they are counted, then the rest up to
 *      the wall clock;
 *   3. wait until the KPI summary counts every sent order (progress lines);
 *   4. POST {gateway}/async-function/archive-move {orders: N} (queued, runs in the background:
 *      see HistoryResult.archived): N = the orders older than
 *      `archiveOlderThanDays` (archive-move takes the oldest orders by insertion: those, as they
 *      were all stored before the newer ones were sent);
 *   5. POST {gateway}/function/analytics when GET /system/functions lists it as deployed;
 *   6. top up: send the orders of the time that passed since step 2 and wait for them, so the
 *      live generator (started by the caller at "now") continues without an empty minute.
 */
import type { Config } from '../shared/platform/config.ts';
import { DependencyError } from '../shared/platform/errors.ts';
import type { Logger } from '../shared/platform/log.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { RedisKpiStore } from '../shared/kpi/adapters/redis-store.ts';
import { createKafkaBatchSender } from '../dev/generator/kafka-sender.ts';
import { createGenerator, type OrderGenerator } from '../dev/generator/generator.ts';
import { createMessageStream, type MessageStream } from '../dev/generator/stream.ts';
import { pump, type BatchSender } from '../dev/generator/pump.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { advanceUntil, DAY_MS, planHistory, type HistorySegment } from './demo-history-plan.ts';
import { GatewayClient, unauthorizedHint } from '../shared/adapters/gateway.ts';

export interface HistoryOptions {
  /** Event time covered: [now − days, now). */
  days: number;
  /** About this many orders in all. */
  orders: number;
  /** Archive the orders older than this many days (0 = archive nothing). */
  archiveOlderThanDays: number;
  /** The demo's (live run's) seed; the history uses other seeds (see the plan). */
  seed: number;
  /** The live generator's mean minutes between flash sales: the last hour uses its model. */
  liveFlashEveryMinutes?: number;
  /** Longest wait for the pipeline to count the sent orders (default 120 s + 2 ms per order). */
  timeoutMs?: number;
  now?: () => number;
}

export interface HistoryResult {
  status: 'loaded' | 'skipped';
  /** Orders the KPIs counted before the phase. */
  existing: number;
  /** History orders sent (all accepted: no duplicates or bad events in the history). */
  orders: number;
  /**
   * Orders archive-move was asked to move. It runs in the background (queued like archive-check
   * does): it is the slow step (≈ 4 × slower per order than ingest here), and the analytics read
   * hot store + archive with each order once, so nothing shown depends on how far it got.
   */
  archived: number;
  analytics: 'ran' | 'not deployed' | 'failed' | 'skipped';
  event_time: { first: string | null; last: string | null };
  /** Wall time of each step and in all. */
  seconds: { send: number; ingest: number; archive: number; analytics: number; total: number };
}

/** The I/O the phase needs (real ones: `openHistoryDeps`). */
export interface HistoryDeps {
  sender: BatchSender;
  /** Accepted orders the KPI summary counts. */
  counted(): Promise<number>;
  /** Deployed function names (GET /system/functions). */
  functions(): Promise<string[]>;
  /** POST /function/<name> with a JSON body; the parsed JSON answer (throws on non-2xx). */
  invoke(name: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /** POST /async-function/<name>: queued by the gateway (202). */
  invokeAsync(name: string, body: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface HistoryTarget {
  config: Config;
  gatewayUrl: string;
}

export async function openHistoryDeps(target: HistoryTarget, log: Logger): Promise<HistoryDeps> {
  const { config, gatewayUrl } = target;
  const kafka = createKafka(config, 'orderpulse-demo-history', log);
  const sender = await createKafkaBatchSender(kafka, config.topics.orders);
  const store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-demo-history', log);
  // The gateway's credentials from the configuration (GATEWAY_PASSWORD or the file the pipeline wrote).
  const gateway = GatewayClient.fromConfig(config, gatewayUrl);
  const call = async (method: string, path: string, body: unknown, timeoutMs: number): Promise<unknown> => {
    let r: Response;
    try {
      r = await gateway.fetch(path, { method, signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    } catch (cause) {
      throw new DependencyError('gateway', `${method} ${gatewayUrl}${path} failed; is the pipeline running? (npm run pipeline)`, { cause });
    }
    const text = await r.text();
    if (!r.ok) throw new DependencyError('gateway', `${method} ${path}: HTTP ${r.status} ${text.slice(0, 300)}${unauthorizedHint(r.status)}`, { retriable: r.status >= 500 });
    return text === '' ? null : (JSON.parse(text) as unknown);
  };
  return {
    sender,
    async counted() {
      const raw = await store.readView('summary');
      return raw === null ? 0 : ((JSON.parse(raw) as { orders?: number }).orders ?? 0);
    },
    async functions() {
      const list = (await call('GET', '/system/functions', undefined, 10_000)) as { name: string; replicas?: number }[];
      return list.filter((f) => (f.replicas ?? 1) > 0).map((f) => f.name);
    },
    invoke: (name, body, timeoutMs) => call('POST', `/function/${name}`, body, timeoutMs),
    async invokeAsync(name, body) {
      await call('POST', `/async-function/${name}`, body, 10_000);
    },
    async close() {
      await sender.close().catch(() => undefined);
      await store.close().catch(() => undefined);
    },
  };
}

interface Source {
  seg: HistorySegment;
  stream: MessageStream;
  /** An identical generator, advanced ahead of the stream to count the orders before a time. */
  counter: OrderGenerator;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Runs the phase on the real pipeline behind `target`; see the header. */
export async function loadHistory(target: HistoryTarget, opts: HistoryOptions, log: Logger): Promise<HistoryResult> {
  const deps = await openHistoryDeps(target, log);
  try {
    return await runHistory(deps, opts, log);
  } finally {
    await deps.close();
  }
}

export async function runHistory(deps: HistoryDeps, opts: HistoryOptions, log: Logger): Promise<HistoryResult> {
  const now = opts.now ?? Date.now;
  const t0 = Date.now();
  const seconds = { send: 0, ingest: 0, archive: 0, analytics: 0, total: 0 };
  const existing = await deps.counted();
  const result: HistoryResult = { status: 'skipped', existing, orders: 0, archived: 0, analytics: 'skipped', event_time: { first: null, last: null }, seconds };
  if (existing > 0) {
    log.info(`history: the KPIs already count ${existing} orders (an earlier demo on this stack), so the history is not loaded again; start from empty data with \`npm run stack -- reset\` (deletes all local data) or other MONGO_DB and KPI_PREFIX`, { existing });
    return result;
  }

  const startedAt = now();
  const segments = planHistory({ nowMs: startedAt, days: opts.days, orders: opts.orders, seed: opts.seed, ...(opts.liveFlashEveryMinutes === undefined ? {} : { liveFlashEveryMinutes: opts.liveFlashEveryMinutes }) });
  const planned = segments.reduce((s, x) => s + x.planned, 0);
  const cutoffMs = opts.archiveOlderThanDays > 0 ? startedAt - opts.archiveOlderThanDays * DAY_MS : -Infinity;
  log.info('history: loading seeded orders of the past days through the pipeline before going live', {
    days: opts.days,
    planned,
    segments: segments.map((s) => ({ name: s.name, seed: s.seed, start: new Date(s.startMs).toISOString(), event_rate: round1(s.eventRate * 1000) / 1000, orders: s.planned })),
    archive_older_than_days: opts.archiveOlderThanDays,
  });
  const sources: Source[] = segments.map((seg) => {
    const o = { seed: seg.seed, start: seg.startMs, eventRate: seg.eventRate, model: seg.model };
    return { seg, stream: createMessageStream(o), counter: createGenerator(o) };
  });
  let older = 0;
  let firstMs: number | null = null;
  let lastMs: number | null = null;
  const timeoutMs = opts.timeoutMs ?? 120_000 + 2 * Math.max(planned, opts.orders);

  /** Sends every history order before `endMs` not sent yet (the last segment runs up to `endMs`). */
  const sendUntil = async (endMs: number): Promise<number> => {
    const s0 = Date.now();
    let sent = 0;
    for (const [i, src] of sources.entries()) {
      const end = i === sources.length - 1 ? endMs : Math.min(endMs, src.seg.endMs);
      const n = advanceUntil(src.counter, end, Number.MAX_SAFE_INTEGER, (t) => {
        if (t < cutoffMs) older++;
        firstMs ??= t;
        lastMs = t;
      });
      if (n === 0) continue;
      const base = result.orders + sent;
      await pump({
        source: src.stream,
        sender: deps.sender,
        rate: 0,
        count: n,
        progressEveryMs: 2000,
        onProgress: (p) => log.info('history: sending', { sent: base + p.sent, planned, rate: Math.round(p.recentRate) }),
        onError: (err, attempt) => log.warn('history: send failed; retrying', { attempt, err }),
      });
      sent += n;
    }
    result.orders += sent;
    seconds.send += (Date.now() - s0) / 1000;
    return sent;
  };

  /** Waits until the KPI summary counts every order sent so far. */
  const waitCounted = async (): Promise<void> => {
    const w0 = Date.now();
    const expected = existing + result.orders;
    let lastLog = Date.now();
    let lastCount = 0;
    await waitFor(
      async () => {
        const c = await deps.counted();
        if (c >= expected) return true;
        if (Date.now() - lastLog >= 2000) {
          log.info('history: waiting for the pipeline to count the orders', { counted: c, expected, rate: Math.round(((c - lastCount) * 1000) / (Date.now() - lastLog)) });
          lastLog = Date.now();
          lastCount = c;
        }
        return false;
      },
      { timeoutMs, intervalMs: 250, what: `the KPIs to count ${expected} orders (is ingest, aggregate and cache-write running? see the pipeline log)` },
    );
    seconds.ingest += (Date.now() - w0) / 1000;
  };

  // The older part first, counted before the rest is sent: archive-move takes the oldest orders
  // by insertion (_id), and with several partitions consumed in parallel only this makes "the
  // first N inserted" the same orders as "the N older than the cutoff".
  if (cutoffMs > startedAt - opts.days * DAY_MS) {
    await sendUntil(cutoffMs);
    await waitCounted();
  }
  await sendUntil(now());
  await waitCounted();

  if (older > 0) {
    const a0 = Date.now();
    await deps.invokeAsync('archive-move', { orders: older });
    result.archived = older;
    seconds.archive = (Date.now() - a0) / 1000;
    log.info('history: archive-move queued: it moves the oldest orders to the archive in the background (progress: GET /function/archive-move)', { orders: older, older_than_days: opts.archiveOlderThanDays });
  }

  const n0 = Date.now();
  if ((await deps.functions()).includes('analytics')) {
    try {
      await deps.invoke('analytics', {}, 10 * 60_000);
      result.analytics = 'ran';
      log.info('history: analytics ran once (History section)', { seconds: round1((Date.now() - n0) / 1000) });
    } catch (err) {
      result.analytics = 'failed';
      log.warn('history: the analytics run failed; its cron schedule will try again', { err });
    }
  } else {
    result.analytics = 'not deployed';
    log.info('history: no analytics function in this pipeline; skipping the History recomputation');
  }
  seconds.analytics = (Date.now() - n0) / 1000;

  // Top up the minutes that passed while the pipeline counted and analysed.
  if ((await sendUntil(now())) > 0) await waitCounted();

  result.status = 'loaded';
  result.event_time = { first: firstMs === null ? null : new Date(firstMs).toISOString(), last: lastMs === null ? null : new Date(lastMs).toISOString() };
  seconds.total = (Date.now() - t0) / 1000;
  for (const k of Object.keys(seconds) as (keyof typeof seconds)[]) seconds[k] = round1(seconds[k]);
  log.info('history: loaded', { orders: result.orders, archiving: result.archived, analytics: result.analytics, seconds });
  return result;
}
