/**
 * Drives the pure detectors over a seeded generated stream in process (bench/alerts.ts and the
 * unit tests): orders spread over `partitions` by order_id, delivered in batches as the Kafka
 * connector would, and the cron tick emulated with event time standing in for wall clock (a tick
 * every `tickEveryMs`, effective only after `idleMs` without events, as in the function).
 */
import type { AlertChange } from '../alert.ts';
import { advance, createDetectorState, observe, tick, type DetectorState } from '../detector.ts';
import { DEFAULT_PARAMS, type DetectorParams } from '../params.ts';
import type { OrderSignal } from '../signal.ts';
import { createGenerator } from '../../../dev/generator/generator.ts';
import { DEFAULT_MODEL } from '../../../dev/generator/model.ts';
import type { Incident, IncidentTruth } from '../../../dev/generator/incidents.ts';
import { hashString } from '../../../dev/generator/prng.ts';

export interface DriveOptions {
  seed: number;
  start: string | number;
  /** Mean orders per second of event time over a week. */
  eventRate: number;
  durationMs: number;
  incidents?: Incident[];
  /** Mean minutes between flash sales (default the model's 60; 0 = none). */
  flashEveryMinutes?: number;
  partitions?: number;
  /** Orders per delivered batch per partition. */
  batch?: number;
  tickEveryMs?: number;
  idleMs?: number;
  params?: DetectorParams;
  /** Continue from this state (a replay, a restart). */
  state?: DetectorState;
  /** Sees every order's signal (ground-truth rates for the bench). */
  onSignal?: (s: OrderSignal) => void;
}

export interface DriveResult {
  changes: AlertChange[];
  truth: IncidentTruth[];
  orders: number;
  state: DetectorState;
  /** Each delivered batch, for replay tests: partition key and its signals. */
  deliveries?: { partition: string; signals: OrderSignal[] }[];
}

export function drive(o: DriveOptions, keepDeliveries = false): DriveResult {
  const params = o.params ?? DEFAULT_PARAMS;
  const model = o.flashEveryMinutes === undefined ? DEFAULT_MODEL : { ...DEFAULT_MODEL, flash: { ...DEFAULT_MODEL.flash, meanGapMinutes: o.flashEveryMinutes } };
  const gen = createGenerator({ seed: o.seed, start: o.start, eventRate: o.eventRate, model, ...(o.incidents ? { incidents: o.incidents } : {}) });
  const st = o.state ?? createDetectorState(params);
  const parts = o.partitions ?? 1;
  const batch = o.batch ?? 100;
  const tickEvery = o.tickEveryMs ?? 60_000;
  const idle = o.idleMs ?? 5_000;
  const endMs = gen.startMs + o.durationMs;
  const buffers: OrderSignal[][] = Array.from({ length: parts }, () => []);
  const changes: AlertChange[] = [];
  const deliveries: { partition: string; signals: OrderSignal[] }[] = [];
  let lastDelivered = gen.startMs;
  let nextTick = gen.startMs + tickEvery;
  let orders = 0;
  const deliver = (p: number): void => {
    const signals = buffers[p]!;
    if (signals.length === 0) return;
    buffers[p] = [];
    const key = `orders.accepted/${p}`;
    for (const s of signals) observe(st, key, s, params);
    if (keepDeliveries) deliveries.push({ partition: key, signals });
    changes.push(...advance(st, params));
    lastDelivered = Math.max(lastDelivered, signals[signals.length - 1]!.ts);
  };
  const ticksUpTo = (t: number): void => {
    while (tickEvery > 0 && nextTick <= t) {
      if (nextTick - lastDelivered >= idle) changes.push(...tick(st, nextTick, params));
      nextTick += tickEvery;
    }
  };
  for (;;) {
    const t = gen.timeMs;
    ticksUpTo(Math.min(t, endMs));
    if (t >= endMs) break;
    const e = gen.next();
    orders++;
    const s: OrderSignal = { ts: Date.parse(e.order_timestamp), method: e.payment.method, failed: e.payment.status === 'failed', campaign: typeof e.campaign === 'string' ? e.campaign : null };
    o.onSignal?.(s);
    const p = parts === 1 ? 0 : hashString(e.order_id) % parts;
    buffers[p]!.push(s);
    if (buffers[p]!.length >= batch) deliver(p);
    // The connector does not hold a partition's messages for long: flush those older than 1 s.
    for (let q = 0; q < parts; q++) if (buffers[q]!.length > 0 && s.ts - buffers[q]![0]!.ts > 1_000) deliver(q);
  }
  for (let q = 0; q < parts; q++) deliver(q);
  return { changes, truth: gen.truth(), orders, state: st, ...(keepDeliveries ? { deliveries } : {}) };
}
