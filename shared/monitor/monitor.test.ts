import { describe, expect, it } from 'vitest';
import { parseGroupPrefix, partitionLags, readArchive, readLag, readMonitor, summariseLag, type KafkaOffsets } from './monitor.ts';
import { ValidationError } from '../platform/errors.ts';

const files: Record<string, { path: string; size: number }[]> = {
  '/orders_fact/dt=2026-01-01': [
    { path: '/orders_fact/dt=2026-01-01/part-a.parquet', size: 1000 },
    { path: '/orders_fact/dt=2026-01-01/.part-b.parquet.tmp', size: 7 },
  ],
  '/orders_fact/dt=2026-01-02': [{ path: '/orders_fact/dt=2026-01-02/part-c.parquet', size: 24 }],
};
const storage = {
  describe: () => 'file:///a',
  listDirs: async (dir: string) => (dir === '/orders_fact' ? Object.keys(files) : []),
  list: async (dir: string) => files[dir] ?? [],
};

const kafka: KafkaOffsets = {
  groups: async (prefix) => ['op-aggregate', 'op-ingest', 'other-ingest'].filter((g) => g.startsWith(prefix)),
  committed: async (group) =>
    group === 'op-ingest'
      ? [{ topic: 'orders', partitions: [{ partition: 0, offset: 10 }, { partition: 1, offset: -1 }] }]
      : [{ topic: 'orders.accepted', partitions: [{ partition: 0, offset: 5 }] }],
  topicEnds: async (topic) => (topic === 'orders' ? [{ partition: 1, high: 8, low: 2 }, { partition: 0, high: 15, low: 0 }] : [{ partition: 0, high: 5, low: 0 }]),
};

describe('consumer lag', () => {
  it('is end − committed per partition; a partition never committed lags by what is retained', () => {
    expect(partitionLags([{ partition: 1, high: 8, low: 2 }, { partition: 0, high: 15, low: 0 }], [{ partition: 0, offset: 10 }, { partition: 1, offset: -1 }])).toEqual([
      { partition: 0, end: 15, committed: 10, lag: 5 },
      { partition: 1, end: 8, committed: null, lag: 6 },
    ]);
  });

  it('is never negative (an end read before a commit landed)', () => {
    expect(partitionLags([{ partition: 0, high: 3, low: 0 }], [{ partition: 0, offset: 4 }])[0]?.lag).toBe(0);
  });

  it('reads the groups with the prefix only, per topic, with totals', async () => {
    const r = await readLag(kafka, 'op-');
    expect(r.groups.map((g) => [g.group, g.topic, g.lag])).toEqual([
      ['op-aggregate', 'orders.accepted', 0],
      ['op-ingest', 'orders', 11],
    ]);
    expect(r.total_lag).toBe(11);
    expect(r.max_lag).toBe(11);
    expect(summariseLag([])).toEqual({ groups: [], total_lag: 0, max_lag: 0 });
  });
});

describe('archive size', () => {
  it('counts the Parquet files and bytes of every partition, not temporary files', async () => {
    expect(await readArchive(storage)).toEqual({ location: 'file:///a', partitions: 2, files: 2, bytes: 1024 });
  });
});

describe('readMonitor', () => {
  it('reports every part, and an error only on the part that failed', async () => {
    const r = await readMonitor(
      { kafka: { ...kafka, groups: async () => Promise.reject(new Error('kafka: listing consumer groups failed; is the broker up?')) }, hot: { read: async () => ({ orders: 3, bytes: 1.5 * 1024 * 1024 }) }, archive: storage, now: () => new Date('2026-01-01T00:00:00Z') },
      { groupPrefix: 'op-' },
    );
    expect(r).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      group_prefix: 'op-',
      kafka: { groups: [], total_lag: 0, max_lag: 0, error: 'kafka: listing consumer groups failed; is the broker up?' },
      hot_store: { orders: 3, size_mb: 1.5 },
      archive: { location: 'file:///a', partitions: 2, files: 2, bytes: 1024 },
    });
  });
});

describe('parseGroupPrefix', () => {
  it('takes the query, then the body, then the connector default', () => {
    expect(parseGroupPrefix({ group_prefix: 'a-' }, { group_prefix: 'b-' })).toBe('a-');
    expect(parseGroupPrefix({}, { group_prefix: 'b-' })).toBe('b-');
    expect(parseGroupPrefix({}, undefined)).toBe('orderpulse-');
    expect(() => parseGroupPrefix({ group_prefix: '' }, undefined)).toThrow(ValidationError);
    expect(() => parseGroupPrefix({}, { group_prefix: 3 })).toThrow(/group_prefix must be/);
  });
});
