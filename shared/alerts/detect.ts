/**
 * The alert-detect function's core (docs/alerts.md "Exactly once"): a delivered batch of
 * accepted orders, or a cron tick, against the detector state stored WITH the Kafka offsets it
 * reflects.
 *
 *   load {version, state, offsets} -> skip messages at or below the stored offset of their
 *   partition (already in the state) -> observe + advance (pure) -> publish the AlertChanges
 *   to the `alerts` topic -> commit state + offsets in one compare-and-set on the version.
 *
 * A crash after publishing and before committing redelivers the batch against the old state,
 * which computes the same changes again (same ids, types and detected_at): the delivery side
 * dedupes them by (id, type, detected_at). A replay of committed offsets changes nothing and
 * publishes nothing. A lost compare-and-set (another call committed meanwhile) is a retriable
 * error: the connector redelivers. Calls are also serialised within the process.
 */
import type { AlertChange } from './alert.ts';
import { advance, createDetectorState, observe, openAlerts, tick, type DetectorState } from './detector.ts';
import { DEFAULT_PARAMS, type DetectorParams } from './params.ts';
import { signalOf } from './signal.ts';
import { DependencyError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';

export interface PersistedState {
  v: 1;
  /** Last applied offset (decimal) per `topic/partition`. */
  offsets: Record<string, string>;
  detector: DetectorState;
  /** Newest event time seen and the wall clock when it was first seen (for the tick). */
  clock: { eventMs: number | null; wallMs: number | null };
}

export interface StateStore {
  load(): Promise<{ version: number; state: PersistedState | null }>;
  /** Writes `state` as version + 1 if the stored version is still `version`; false otherwise. */
  commit(version: number, state: PersistedState): Promise<boolean>;
}

export interface DetectDeps {
  store: StateStore;
  /** Produce the changes to the alerts topic (key = alert id), acknowledged, in order. */
  publish(changes: readonly AlertChange[]): Promise<void>;
  log: Logger;
  now?: () => number;
  params?: DetectorParams;
  /** The tick acts only after this long without new event time (ms; default 5 s). */
  idleMs?: number;
  /** The tick acts only when event time was within this of wall clock (a live stream; default 10 min). */
  liveSkewMs?: number;
}

export interface DeliveredLike {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

export interface DetectOutcome {
  received: number;
  applied: number;
  replayed: number;
  invalid: number;
  changes: number;
  opened: number;
  watermark: string | null;
  open: string[];
}

function fresh(params: DetectorParams): PersistedState {
  return { v: 1, offsets: {}, detector: createDetectorState(params), clock: { eventMs: null, wallMs: null } };
}

function summary(received: number, applied: number, replayed: number, invalid: number, changes: readonly AlertChange[], st: PersistedState): DetectOutcome {
  const wm = st.detector.watermark;
  return { received, applied, replayed, invalid, changes: changes.length, opened: changes.filter((c) => c.type === 'opened').length, watermark: wm === null ? null : new Date(wm).toISOString(), open: openAlerts(st.detector) };
}

async function commitOrRetry(deps: DetectDeps, version: number, st: PersistedState): Promise<void> {
  if (!(await deps.store.commit(version, st))) {
    throw new DependencyError('redis', 'alert detector state changed while this call ran (another alert-detect replica?); the batch will be redelivered. Run one replica of alert-detect.', { retriable: true });
  }
}

export async function detectBatch(messages: readonly DeliveredLike[], deps: DetectDeps): Promise<DetectOutcome> {
  const params = deps.params ?? DEFAULT_PARAMS;
  const { version, state } = await deps.store.load();
  const st = state ?? fresh(params);
  let applied = 0;
  let replayed = 0;
  let invalid = 0;
  for (const m of messages) {
    const key = `${m.topic}/${m.partition}`;
    const done = st.offsets[key];
    if (done !== undefined && BigInt(m.offset) <= BigInt(done)) {
      replayed++;
      continue;
    }
    st.offsets[key] = m.offset;
    const r = signalOf(m.value);
    if (!r.ok) {
      invalid++;
      deps.log.error('accepted message is not a usable order: skipped (check ingest)', { topic: m.topic, partition: m.partition, offset: m.offset, error: r.error });
      continue;
    }
    observe(st.detector, key, r.signal, params);
    applied++;
    if (st.clock.eventMs === null || r.signal.ts > st.clock.eventMs) st.clock = { eventMs: r.signal.ts, wallMs: (deps.now ?? Date.now)() };
  }
  if (applied + invalid === 0) return summary(messages.length, 0, replayed, 0, [], st);
  const changes = advance(st.detector, params);
  await deps.publish(changes);
  await commitOrRetry(deps, version, st);
  for (const c of changes) deps.log.info(`alert ${c.type}`, { id: c.alert.id, kind: c.alert.kind, subject: c.alert.subject, observed: c.alert.observed, expected: c.alert.expected, severity: c.alert.severity });
  return summary(messages.length, applied, replayed, invalid, changes, st);
}

/**
 * The cron tick: when no new event time has arrived for `idleMs` on a live stream, event time is
 * taken to have advanced with the wall clock (newest event time + wall time since it arrived),
 * so the demand detector sees the empty seconds: "orders stopped arriving".
 */
export async function detectTick(deps: DetectDeps): Promise<DetectOutcome & { ticked: boolean }> {
  const params = deps.params ?? DEFAULT_PARAMS;
  const now = (deps.now ?? Date.now)();
  const { version, state } = await deps.store.load();
  if (state === null || state.clock.eventMs === null || state.clock.wallMs === null) return { ...summary(0, 0, 0, 0, [], state ?? fresh(params)), ticked: false };
  const idle = now - state.clock.wallMs;
  const live = Math.abs(state.clock.wallMs - state.clock.eventMs) <= (deps.liveSkewMs ?? 600_000);
  if (idle < (deps.idleMs ?? 5_000) || !live) return { ...summary(0, 0, 0, 0, [], state), ticked: false };
  const changes = tick(state.detector, state.clock.eventMs + idle, params);
  if (changes.length === 0 && state.detector.watermark === null) return { ...summary(0, 0, 0, 0, [], state), ticked: false };
  await deps.publish(changes);
  await commitOrRetry(deps, version, state);
  for (const c of changes) deps.log.info(`alert ${c.type}`, { id: c.alert.id, kind: c.alert.kind, subject: c.alert.subject, observed: c.alert.observed, expected: c.alert.expected, severity: c.alert.severity, tick: true });
  return { ...summary(0, 0, 0, 0, changes, state), ticked: true };
}
