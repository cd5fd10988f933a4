/**
 * The monitor core: one reading of what the batch layer's monitoring DAGs check (docs/airflow.md)
 * — Kafka consumer lag of the connector's consumer groups, the hot store's size, the archive's
 * size. Pure computations plus a small runner over ports (adapters: adapters/open.ts). Each part
 * is read on its own: a service that cannot be read gives that part an `error` (with what to do)
 * and the others are still reported, so a DAG can say which one failed.
 */
import type { ArchiveStorage } from '../archive/ports.ts';
import { TABLE_DIR } from '../archive/layout.ts';
import { ValidationError } from '../platform/errors.ts';

export const MIB = 1024 * 1024;

export interface PartitionLag {
  partition: number;
  /** Next offset to be written (high watermark). */
  end: number;
  /** The group's committed offset; null when it has committed none on this partition. */
  committed: number | null;
  lag: number;
}

export interface GroupLag {
  group: string;
  topic: string;
  lag: number;
  partitions: PartitionLag[];
}

export interface KafkaReading {
  groups: GroupLag[];
  total_lag: number;
  max_lag: number;
  error?: string;
}

export interface HotStoreReading {
  orders: number;
  /** Data + index bytes of the fact and dimension collections, in MiB (archive-check's measure). */
  size_mb: number;
  error?: string;
}

export interface ArchiveReading {
  location: string;
  partitions: number;
  files: number;
  bytes: number;
  error?: string;
}

export interface MonitorReading {
  at: string;
  group_prefix: string;
  kafka: KafkaReading;
  hot_store: HotStoreReading;
  archive: ArchiveReading;
}

export interface TopicEnd {
  partition: number;
  /** High watermark. */
  high: number;
  /** Low watermark (first retained offset). */
  low: number;
}

export interface CommittedOffset {
  partition: number;
  /** -1 (Kafka's "none") or the next offset the group will read. */
  offset: number;
}

/**
 * Lag per partition: end − committed; a partition the group has never committed on lags by
 * everything still retained (end − low). Never negative (an end read before a commit lands).
 */
export function partitionLags(ends: readonly TopicEnd[], committed: readonly CommittedOffset[]): PartitionLag[] {
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset]));
  return [...ends]
    .sort((a, b) => a.partition - b.partition)
    .map((e) => {
      const c = byPartition.get(e.partition);
      const has = c !== undefined && c >= 0;
      return { partition: e.partition, end: e.high, committed: has ? c : null, lag: Math.max(0, e.high - (has ? c : e.low)) };
    });
}

export function summariseLag(groups: GroupLag[]): KafkaReading {
  const sorted = [...groups].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  return { groups: sorted, total_lag: sorted.reduce((s, g) => s + g.lag, 0), max_lag: sorted.reduce((m, g) => Math.max(m, g.lag), 0) };
}

/** Kafka offsets as the monitor needs them (adapter: adapters/kafka-offsets.ts). */
export interface KafkaOffsets {
  /** Consumer groups whose id starts with `prefix`. */
  groups(prefix: string): Promise<string[]>;
  /** Committed offsets of `group`, per topic it has committed on. */
  committed(group: string): Promise<{ topic: string; partitions: CommittedOffset[] }[]>;
  topicEnds(topic: string): Promise<TopicEnd[]>;
}

export async function readLag(kafka: KafkaOffsets, prefix: string): Promise<KafkaReading> {
  const out: GroupLag[] = [];
  const ends = new Map<string, Promise<TopicEnd[]>>();
  for (const group of await kafka.groups(prefix)) {
    for (const t of await kafka.committed(group)) {
      if (!ends.has(t.topic)) ends.set(t.topic, kafka.topicEnds(t.topic));
      const partitions = partitionLags(await (ends.get(t.topic) as Promise<TopicEnd[]>), t.partitions);
      out.push({ group, topic: t.topic, lag: partitions.reduce((s, p) => s + p.lag, 0), partitions });
    }
  }
  return summariseLag(out);
}

/** The hot store's order count and size (adapter: MongoDB collStats, as archive-check reads it). */
export interface HotStoreStats {
  read(): Promise<{ orders: number; bytes: number }>;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Files and bytes under the archive's table directory (every `dt=` partition). */
export async function readArchive(storage: Pick<ArchiveStorage, 'describe' | 'list' | 'listDirs'>): Promise<ArchiveReading> {
  const dirs = await storage.listDirs(TABLE_DIR);
  let files = 0;
  let bytes = 0;
  for (const dir of dirs) {
    for (const f of await storage.list(dir)) {
      if (!f.path.endsWith('.parquet')) continue;
      files++;
      bytes += f.size;
    }
  }
  return { location: storage.describe(), partitions: dirs.length, files, bytes };
}

export interface MonitorDeps {
  kafka: KafkaOffsets;
  hot: HotStoreStats;
  archive: Pick<ArchiveStorage, 'describe' | 'list' | 'listDirs'>;
  now?: () => Date;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** One reading; each part independently (a failing part carries `error`, the others their values). */
export async function readMonitor(deps: MonitorDeps, opts: { groupPrefix: string }): Promise<MonitorReading> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const [kafka, hot, archive] = await Promise.all([
    readLag(deps.kafka, opts.groupPrefix).catch((e: unknown): KafkaReading => ({ groups: [], total_lag: 0, max_lag: 0, error: message(e) })),
    deps.hot.read().then(
      (h): HotStoreReading => ({ orders: h.orders, size_mb: round3(h.bytes / MIB) }),
      (e: unknown): HotStoreReading => ({ orders: 0, size_mb: 0, error: message(e) }),
    ),
    readArchive(deps.archive).catch((e: unknown): ArchiveReading => ({ location: deps.archive.describe(), partitions: 0, files: 0, bytes: 0, error: message(e) })),
  ]);
  return { at, group_prefix: opts.groupPrefix, kafka, hot_store: hot, archive };
}

/** The request: `group_prefix` (query or JSON body), default the Kafka connector's "orderpulse-". */
export function parseGroupPrefix(query: Record<string, string>, body: unknown): string {
  const fromBody = body && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as Record<string, unknown>).group_prefix : undefined;
  const v = query.group_prefix ?? fromBody ?? 'orderpulse-';
  if (typeof v !== 'string' || v === '' || v.length > 200) throw new ValidationError('invalid_request', `group_prefix must be a non-empty string of at most 200 characters, got ${JSON.stringify(v)}`);
  return v;
}
