/**
 * The KPI store port: what the KPI core needs from Redis. The ioredis adapter is
 * redis-store.ts; core modules (aggregate, materialize, rebuild, dashboard) depend on these
 * small interfaces only.
 */
import type { Contribution, RawSnapshot, ViewName, Views } from './types.ts';

export interface ApplyResult {
  /** Orders counted now (not seen before). */
  applied: number;
  /** Store version after the call. */
  version: number;
  /** The reconcile epoch marker (null: counters were lost or never reconciled). */
  epoch: string | null;
}

/** Counters: exactly-once apply and one consistent read. */
export interface CounterStore {
  apply(list: readonly Contribution[]): Promise<ApplyResult>;
  snapshot(): Promise<RawSnapshot>;
}

/** Served views: prebuilt JSON strings. */
export interface ViewStore {
  /** Write when `version` is newer than what is served; publishes a change. true when written. */
  writeViews(version: number, views: Views): Promise<boolean>;
  readView(name: ViewName): Promise<string | null>;
  /** All views in one round trip (null entries when never materialised). */
  readAllViews(): Promise<{ version: number | null; views: Record<ViewName, string | null> }>;
}

export interface RebuildStatus {
  state: 'running' | 'done' | 'failed';
  by: string;
  started_at: string;
  finished_at?: string;
  scanned: number;
  applied: number;
  error?: string;
}

/** Reconcile bookkeeping: epoch marker, a lease so that one rebuild runs at a time, status. */
export interface ReconcileStore {
  /** An id of the running Redis server instance (INFO run_id): changes when Redis restarts. */
  serverId(): Promise<string>;
  getEpoch(): Promise<string | null>;
  /** Set the epoch marker only while `token` holds the rebuild lease (a FLUSHALL drops the lease too). */
  setEpochIfLeased(value: string, token: string): Promise<boolean>;
  /** Take the rebuild lease when free (or already ours); true when held. */
  acquireLease(token: string, ttlMs: number): Promise<boolean>;
  /** Extend the lease; false when it was lost. */
  renewLease(token: string, ttlMs: number): Promise<boolean>;
  releaseLease(token: string): Promise<void>;
  setRebuildStatus(s: RebuildStatus): Promise<void>;
  getRebuildStatus(): Promise<RebuildStatus | null>;
  /**
   * Under a dedupe horizon: when exactly-once marks were ever dropped, delete the counters (not
   * the version, views, epoch or lease) so that the rebuild counts every order from zero; true
   * when it did. A store without a horizon never drops marks (absent or false: nothing to do).
   */
  resetIfMarksDropped?(): Promise<boolean>;
}

export interface KpiStore extends CounterStore, ViewStore, ReconcileStore {
  readonly prefix: string;
  /**
   * Count messages the KPI stage could not use (an upstream bug): visible in /healthz. Keyed by
   * source offset (`topic/partition/offset`): an offset already counted is not counted again (a
   * redelivered batch). Resolves to how many were counted now.
   */
  countInvalid(sources: readonly string[]): Promise<number>;
  invalidCount(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
