/**
 * Scale-out stays exact (issue 10 item 7): the real pipeline with 3 replicas of ingest and 2 of
 * aggregate on 8-partition topics, one replica of each SIGKILLed mid-stream. The facts in MongoDB
 * are counted against what was produced (the accepted orders computed here from the produced
 * messages, first event of an order_id wins), and every KPI endpoint must equal the independent
 * expectation (tests/kpi-expected.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, connectMongo } from '../shared/adapters/mongo.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { expectedKpis } from './kpi-expected.ts';
import { acceptedOf, seededStream, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';
import { expectServedEqual } from './kpi-served.ts';

const REPLICAS = { ingest: 3, aggregate: 2 };
const PARTITIONS = 8;

interface Described {
  replicas: number;
  availableReplicas: number;
  replicaStatus: { pid: number | null; inFlight: number; invocations: number }[];
}

describe('several replicas of ingest and aggregate, one of each SIGKILLed mid-stream', () => {
  let p: KpiPipeline;
  const { messages } = seededStream(6000, 4242);
  const accepted = acceptedOf(messages);
  const expected = expectedKpis(accepted);
  const describeFn = async (fn: string): Promise<Described> => (await (await p.pipeline.gatewayFetch(`/system/function/${fn}`)).json()) as Described;

  beforeAll(async () => {
    p = await startKpiPipeline('replicas', { replicas: REPLICAS, partitions: PARTITIONS });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('facts and KPIs stay exact', async () => {
    for (const [fn, n] of Object.entries(REPLICAS)) {
      const d = await describeFn(fn);
      expect([fn, d.replicas, d.availableReplicas]).toEqual([fn, n, n]);
    }
    const killed: Record<string, number> = {};
    const killOne = async (fn: string): Promise<void> => {
      // Replica 1, while the gateway has a call on it (so a call is cut off and must be retried).
      const pid = await waitFor(
        async () => {
          const r = (await describeFn(fn)).replicaStatus[1]!;
          return r.inFlight > 0 && r.pid !== null ? r.pid : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 5, what: `a call in flight on ${fn} replica 1` },
      );
      process.kill(pid, 'SIGKILL');
      killed[fn] = pid;
    };
    const chunk = 500;
    for (let i = 0; i < messages.length; i += chunk) {
      await p.send(messages.slice(i, i + chunk));
      if (i === 2 * chunk) await killOne('ingest');
      if (i === 6 * chunk) await killOne('aggregate');
    }
    expect(Object.keys(killed).sort()).toEqual(['aggregate', 'ingest']);

    await waitFor(async () => (await p.get<{ orders: number }>('/api/kpis/summary')).orders === accepted.length, {
      timeoutMs: 300_000,
      intervalMs: 500,
      what: `summary.orders == ${accepted.length}`,
    });
    await expectServedEqual(p, expected);

    // Facts: one per accepted order, counted in MongoDB against the produced stream.
    const mongo = await connectMongo(p.config);
    try {
      const facts = mongo.db.collection(COLLECTIONS.fact);
      expect(await facts.countDocuments()).toBe(accepted.length);
      expect((await facts.distinct('order_id')).length).toBe(accepted.length);
    } finally {
      await mongo.close();
    }

    for (const [fn, n] of Object.entries(REPLICAS)) {
      const d = await describeFn(fn);
      // The killed replica was restarted; every replica took calls.
      expect(d.availableReplicas).toBe(n);
      expect(d.replicaStatus.map((r) => r.pid)).not.toContain(killed[fn]);
      for (const r of d.replicaStatus) expect(r.invocations, `${fn} ${JSON.stringify(d.replicaStatus)}`).toBeGreaterThan(0);
      // The cut-off call came back as a retriable 5xx and was delivered again.
      expect(p.pipeline.kafka!.stats()[fn]!.retries, fn).toBeGreaterThanOrEqual(1);
      expect(p.pipeline.kafka!.stats()[fn]!.parked, fn).toBe(0);
    }
  }, 420_000);
});
