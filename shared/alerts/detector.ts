/**
 * The detectors' streaming core, in EVENT time (docs/alerts.md). Pure and deterministic: the
 * same signals in the same order give the same alerts; the whole state is plain JSON, stored
 * with the Kafka offsets it reflects (adapters/redis-state.ts) so a replay raises nothing twice.
 *
 * - Orders are counted into one-second buckets of event time.
 * - The watermark (how far event time is complete) is the newest event time of the slowest
 *   ACTIVE partition, less the disorder seen in that partition (events behind its newest: ingest
 *   interleaves batches while a backlog drains), minus `latenessMs`; a partition more than `idlePartitionMs` behind the
 *   newest one does not hold it back. `tick(t)` moves it to t without events: the only way to
 *   see "orders stopped arriving" (the function's cron tick maps wall clock to event time).
 * - Each second the watermark completes is evaluated: trailing window sums are updated, the
 *   second leaving the longest window (5 min) is learned by the payment baseline and the minute
 *   2 min behind by the demand baseline (both unless an alert covers it), then the payment and
 *   demand detectors give verdicts and the book opens, updates or resolves alerts (book.ts).
 * - An event older than the newest evaluated second still counts in the windows that cover it
 *   (and in the baselines later); one older than every window is dropped and counted (`late`).
 */
import type { AlertChange } from './alert.ts';
import { applyVerdict, createBook, masked, prune, type Book } from './book.ts';
import { createBaseline, expectedAt, learnMinute, skipMinute, type DemandBaseline } from './baseline.ts';
import { evaluateDemand } from './demand.ts';
import { DEFAULT_PARAMS, type DetectorParams } from './params.ts';
import { evaluatePayment, type CusumView, type MethodCounts } from './payment.ts';
import { createCusum, cusumThreshold, stepCusum, type MethodCusum } from './cusum.ts';
import { createSaleTracker, stepSale, type SaleTracker } from './sale.ts';
import type { OrderSignal } from './signal.ts';

interface Counts {
  /** orders */
  o: number;
  /** method -> [attempts, failures] */
  m: Record<string, [number, number]>;
  /** campaign -> orders (buckets only) */
  c?: Record<string, number>;
}

export interface DetectorState {
  v: 1;
  /** Newest event time (ms) per partition key (`topic/partition`). */
  partitions: Record<string, number>;
  /**
   * Observed disorder per partition (ms): how far an event fell behind its partition's newest.
   * orders.accepted is written by ingest batch after batch, so while a backlog drains a partition
   * interleaves batches minutes apart in event time; live, the disorder is a second or two.
   */
  disorder?: Record<string, number>;
  /** Event time complete up to here (ms); monotone. */
  watermark: number | null;
  /** Last evaluated second (epoch seconds). */
  evaluated: number | null;
  /** First second ever seen (baselines learn from here on). */
  first: number | null;
  buckets: Record<string, Counts>;
  /** Running sums per window length (seconds). */
  windows: Record<string, Counts>;
  /** Payment baseline per method: decayed attempts and failures. */
  pay: Record<string, MethodCounts>;
  demand: DemandBaseline;
  /** The minute being accumulated for the demand baseline. */
  minute: { m: number; o: number } | null;
  /** Per-method CUSUM of failures (cusum.ts); absent in states saved before it existed. */
  cusum?: Record<string, MethodCusum>;
  /** The running flash sale and its level (sale.ts); absent in states saved before it existed. */
  sale?: SaleTracker;
  book: Book;
  late: number;
}

export function createDetectorState(params: DetectorParams = DEFAULT_PARAMS): DetectorState {
  return { v: 1, partitions: {}, watermark: null, evaluated: null, first: null, buckets: {}, windows: {}, pay: {}, demand: createBaseline(params.demand), minute: null, cusum: {}, sale: createSaleTracker(), book: createBook(), late: 0 };
}

const allWindows = (p: DetectorParams): number[] => [...new Set([...p.paymentWindowsS, ...p.demandWindowsS, ...p.surgeWindowsS])].sort((a, b) => a - b);

function addInto(into: Counts, from: Counts, sign: 1 | -1): void {
  into.o += sign * from.o;
  for (const [m, [a, f]] of Object.entries(from.m)) {
    const cur = (into.m[m] ??= [0, 0]);
    cur[0] += sign * a;
    cur[1] += sign * f;
  }
}

function addSignal(into: Counts, s: OrderSignal, campaigns: boolean): void {
  into.o++;
  const cur = (into.m[s.method] ??= [0, 0]);
  cur[0]++;
  if (s.failed) cur[1]++;
  if (campaigns && s.campaign !== null) {
    const c = (into.c ??= {});
    c[s.campaign] = (c[s.campaign] ?? 0) + 1;
  }
}

/** Count one accepted order from partition `partition`. */
export function observe(st: DetectorState, partition: string, s: OrderSignal, params: DetectorParams = DEFAULT_PARAMS): void {
  const prev = st.partitions[partition];
  const dis = (st.disorder ??= {});
  if (prev === undefined || s.ts > prev) {
    st.partitions[partition] = s.ts;
    // The allowance decays slowly as event time moves on (a tenth of the progress): while a backlog
    // drains, every ingest batch shows the same disorder again before it has decayed much.
    if (prev !== undefined && dis[partition] !== undefined) dis[partition] = Math.max(0, dis[partition] - (s.ts - prev) / 10);
  } else if (prev - s.ts > (dis[partition] ?? 0)) dis[partition] = Math.min(params.idlePartitionMs, prev - s.ts);
  const sec = Math.floor(s.ts / 1000);
  if (st.evaluated !== null && sec <= st.evaluated) {
    const maxW = Math.max(...allWindows(params));
    if (sec <= st.evaluated - maxW) {
      st.late++;
      return;
    }
    // Late but still inside some windows: count it there.
    for (const w of allWindows(params)) if (sec > st.evaluated - w) addSignal((st.windows[w] ??= { o: 0, m: {} }), s, false);
  }
  addSignal((st.buckets[sec] ??= { o: 0, m: {} }), s, true);
}

/**
 * The watermark the partitions allow (ms), or null before any event: over the active partitions,
 * the smallest of (newest event time − the partition's observed disorder), minus `latenessMs`.
 */
export function partitionWatermark(st: DetectorState, params: DetectorParams = DEFAULT_PARAMS): number | null {
  const keys = Object.keys(st.partitions);
  if (keys.length === 0) return null;
  const newest = Math.max(...keys.map((k) => st.partitions[k]!));
  let wm = Number.POSITIVE_INFINITY;
  for (const k of keys) {
    const t = st.partitions[k]!;
    if (t < newest - params.idlePartitionMs) continue;
    wm = Math.min(wm, t - (st.disorder?.[k] ?? 0));
  }
  return wm - params.latenessMs;
}

/** Moves the watermark to what the partitions allow and evaluates every second it completes. */
export function advance(st: DetectorState, params: DetectorParams = DEFAULT_PARAMS): AlertChange[] {
  const wm = partitionWatermark(st, params);
  return advanceTo(st, wm, params);
}

/** Event time has reached t (ms) though no event says so (the cron tick): evaluate up to t − lateness. */
export function tick(st: DetectorState, tMs: number, params: DetectorParams = DEFAULT_PARAMS): AlertChange[] {
  const wm = partitionWatermark(st, params);
  return advanceTo(st, Math.max(wm ?? Number.NEGATIVE_INFINITY, tMs - params.latenessMs), params);
}

const MAX_CATCH_UP_S = 2 * 86_400;

function advanceTo(st: DetectorState, wm: number | null, params: DetectorParams): AlertChange[] {
  if (wm === null || !Number.isFinite(wm)) return [];
  if (st.watermark === null || wm > st.watermark) st.watermark = wm;
  const changes: AlertChange[] = [];
  const lastComplete = Math.floor(st.watermark / 1000) - 1;
  if (st.evaluated === null) {
    const secs = Object.keys(st.buckets).map(Number);
    if (secs.length === 0) return changes;
    st.first = Math.min(...secs);
    st.evaluated = st.first - 1;
  }
  if (lastComplete - st.evaluated > MAX_CATCH_UP_S) {
    // Event time jumped by days (a replay of old data followed by live data): start the windows
    // afresh before the new data; the baselines are kept.
    const maxW = Math.max(...allWindows(params));
    st.evaluated = lastComplete - maxW;
    st.windows = {};
    for (const k of Object.keys(st.buckets)) if (Number(k) <= st.evaluated - maxW) delete st.buckets[k];
  }
  for (let s = st.evaluated + 1; s <= lastComplete; s++) {
    step(st, s, params, changes);
    st.evaluated = s;
  }
  return changes;
}

function step(st: DetectorState, s: number, params: DetectorParams, changes: AlertChange[]): void {
  const windows = allWindows(params);
  const maxW = windows[windows.length - 1] as number;
  const b = st.buckets[s];
  for (const w of windows) {
    const sum = (st.windows[w] ??= { o: 0, m: {} });
    if (b) addInto(sum, b, 1);
    const old = st.buckets[s - w];
    if (old) addInto(sum, old, -1);
  }
  // The second leaving every window: learned by the baselines, then forgotten.
  const leaving = s - maxW;
  if (st.first !== null && leaving >= st.first) learn(st, leaving, st.buckets[leaving], params);
  delete st.buckets[leaving];
  const lagged = s - params.demand.learnLagS;
  if (st.first !== null && lagged >= st.first) learnDemand(st, lagged, st.buckets[lagged], params);

  const endMs = (s + 1) * 1000;
  const payWindows: Record<number, Record<string, [number, number]>> = {};
  for (const w of params.paymentWindowsS) payWindows[w] = st.windows[w]?.m ?? {};
  payWindows[60] ??= st.windows[60]?.m ?? {};
  payWindows[300] ??= st.windows[300]?.m ?? {};
  const methods = new Set([...Object.keys(st.pay), ...Object.keys(st.book.open).filter((k) => k.startsWith('payment_failure:')).map((k) => k.slice('payment_failure:'.length))]);
  const cusums = (st.cusum ??= {});
  for (const m of [...methods].sort()) {
    const v = evaluatePayment(m, st.pay[m], payWindows, endMs, params, stepMethodCusum(cusums, m, st.pay[m], s, b, params));
    if (v) changes.push(...applyVerdict(st.book, v, endMs, params.resolveHoldS));
  }
  const orders: Record<number, number> = {};
  for (const w of windows) orders[w] = st.windows[w]?.o ?? 0;
  const verdicts = evaluateDemand(
    {
      orders,
      expectedPerMinute: (t) => expectedAt(st.demand, t, params.demand),
      sale: stepSale((st.sale ??= createSaleTracker()), s, b?.c, (x) => st.buckets[x]?.o ?? 0, st.book.open.demand_drop !== undefined, params.demand),
      campaigns: (w) => {
        const c: Record<string, number> = {};
        for (let x = s - w + 1; x <= s; x++) for (const [k, n] of Object.entries(st.buckets[x]?.c ?? {})) c[k] = (c[k] ?? 0) + n;
        return c;
      },
    },
    endMs,
    params,
  );
  for (const v of verdicts) changes.push(...applyVerdict(st.book, v, endMs, params.resolveHoldS));
  if (s % 60 === 0) prune(st.book, endMs - 2 * maxW * 1000);
}

const MARGIN_MS = 60_000;

/** The method's CUSUM takes second `sec` (once its baseline is ready); undefined before. */
function stepMethodCusum(cusums: Record<string, MethodCusum>, m: string, base: MethodCounts | undefined, sec: number, b: Counts | undefined, params: DetectorParams): CusumView | undefined {
  const p = params.payment;
  if (base === undefined || base.a < p.minBaselineAttempts) {
    delete cusums[m];
    return undefined;
  }
  const c = (cusums[m] ??= createCusum());
  const [a, f] = b?.m[m] ?? [0, 0];
  const p0 = Math.max(0.001, base.f / base.a);
  const alarm = stepCusum(c, sec, a, f, p0, cusumThreshold(base.a, p.baselineHalfLifeS, p.cusum), p.minFailures, p.cusum);
  return { alarm, d: c.d };
}

function learn(st: DetectorState, sec: number, b: Counts | undefined, params: DetectorParams): void {
  const p = params.payment;
  const keep = Math.pow(0.5, 1 / p.baselineHalfLifeS);
  const fromMs = sec * 1000;
  for (const [m, c] of Object.entries(st.pay)) {
    c.a *= keep;
    c.f *= keep;
    if (c.a < 1e-6) delete st.pay[m];
  }
  if (b) {
    for (const [m, [a, f]] of Object.entries(b.m)) {
      if (masked(st.book, `payment_failure:${m}`, fromMs, fromMs + 999, MARGIN_MS, p.maxMaskMs)) continue;
      const c = (st.pay[m] ??= { a: 0, f: 0 });
      c.a += a;
      c.f += f;
    }
  }
}

/** Demand learns whole minutes, `learnLagS` behind: soon enough to follow the daily curve, late enough for an alert to have opened. */
function learnDemand(st: DetectorState, sec: number, b: Counts | undefined, params: DetectorParams): void {
  const minute = Math.floor(sec / 60);
  if (st.minute !== null && st.minute.m !== minute) {
    const done = st.minute;
    const from = done.m * 60_000;
    // A minute the stream began inside of is partial: not learned.
    if (st.first !== null && from < st.first * 1000) skipMinute(st.demand, done.m, params.demand);
    else learnMinute(st.demand, done.m, done.o, params.demand, masked(st.book, 'demand_', from, from + 59_999, MARGIN_MS, params.demand.maxMaskMs));
    st.minute = null;
  }
  st.minute ??= { m: minute, o: 0 };
  st.minute.o += b?.o ?? 0;
}

/** Open alerts now (for health and tests). */
export function openAlerts(st: DetectorState): string[] {
  return Object.values(st.book.open).map((o) => o.alert.id);
}
