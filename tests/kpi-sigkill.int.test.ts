/**
 * Exactly-once KPIs under crashes and replays, with the real pipeline: aggregate and cache-write
 * are SIGKILLed again and again while events flow; then the consumer groups are rewound (a
 * mid-range replay for aggregate, a full one for cache-write). Every endpoint must equal the
 * independent expectation, and the replay must not change the served views at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../shared/adapters/kafka.ts';
import { expectedKpis } from './kpi-expected.ts';
import { acceptedOf, seededStream, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { expectServedEqual } from './kpi-served.ts';

describe('KPIs survive SIGKILL of aggregate and cache-write, and replays', () => {
  let p: KpiPipeline;
  const { messages } = seededStream(4000, 77);
  const accepted = acceptedOf(messages);
  const expected = expectedKpis(accepted);

  beforeAll(async () => {
    p = await startKpiPipeline('kill');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('SIGKILL mid-stream, repeatedly: final KPIs equal the expectation', async () => {
    let kills = 0;
    let sending = true;
    const killer = (async () => {
      let i = 0;
      // Keep killing while events flow and until at least 6 kills landed (a process that is
      // still restarting has no pid and is not counted), whatever the machine's speed.
      while ((sending || kills < 6) && i < 40) {
        await new Promise((r) => setTimeout(r, 2500));
        const fn = i++ % 2 === 0 ? 'aggregate' : 'cache-write';
        const pid = p.pipeline.pids()[fn];
        if (pid) {
          process.kill(pid, 'SIGKILL');
          kills++;
        }
      }
    })();
    for (let i = 0; i < messages.length; i += 250) {
      await p.send(messages.slice(i, i + 250));
      await new Promise((r) => setTimeout(r, 700));
    }
    sending = false;
    await killer;
    expect(kills).toBeGreaterThanOrEqual(6);
    await waitFor(async () => (await p.get<{ orders: number }>('/api/kpis/summary')).orders === accepted.length, { timeoutMs: 300_000, intervalMs: 500, what: `summary.orders == ${accepted.length}` });
    await expectServedEqual(p, expected);
  }, 300_000);

  it('replaying orders.accepted from the middle and kpi.deltas from the start changes nothing', async () => {
    const before = await p.get<{ as_of: string }>('/api/kpis');
    const kafka = createKafka(p.config, 'kpi-kill-test-admin');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const t0 = Date.now();
      const step = (what: string): void => void process.stderr.write(`[kpi-sigkill] ${what} after ${Date.now() - t0} ms\n`);
      await p.stopPipeline();
      step('pipeline stopped');
      const accTopic = p.config.topics.accepted;
      const highs = await admin.fetchTopicOffsets(accTopic);
      expect(highs.reduce((a, o) => a + Number(o.high), 0)).toBeGreaterThanOrEqual(accepted.length);
      await admin.setOffsets({ groupId: `${p.groupPrefix}aggregate`, topic: accTopic, partitions: highs.map((o) => ({ partition: o.partition, offset: String(Math.floor(Number(o.high) / 2)) })) });
      await admin.resetOffsets({ groupId: `${p.groupPrefix}cache-write`, topic: p.config.topics.deltas, earliest: true });
      step('offsets rewound');
      await p.restartPipeline();
      step('pipeline restarted');
      // wait until aggregate has consumed the replayed range again
      await waitFor(
        async () => {
          const c = await admin.fetchOffsets({ groupId: `${p.groupPrefix}aggregate`, topics: [accTopic] });
          return c[0]!.partitions.every((x) => Number(x.offset) === Number(highs.find((h) => h.partition === x.partition)!.high));
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'aggregate to re-consume orders.accepted' },
      );
      step('aggregate caught up');
      await waitFor(
        async () => {
          const dh = await admin.fetchTopicOffsets(p.config.topics.deltas);
          const c = await admin.fetchOffsets({ groupId: `${p.groupPrefix}cache-write`, topics: [p.config.topics.deltas] });
          // notices all use one key, so other partitions are empty (nothing committed there: -1)
          return c[0]!.partitions.every((x) => {
            const h = dh.find((y) => y.partition === x.partition)!;
            return Number(h.high) === Number(h.low) || Number(x.offset) === Number(h.high);
          });
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'cache-write to re-consume kpi.deltas' },
      );
    } finally {
      await admin.disconnect();
    }
    // not a single byte changed: no new version, so not even as_of moved
    expect(await p.get('/api/kpis')).toEqual(before);
    await expectServedEqual(p, expected);
  }, 300_000);
});
