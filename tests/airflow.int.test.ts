/**
 * The Airflow DAGs against the REAL Airflow (npm run stack -- up --all, or --only airflow) and the
 * real local pipeline of this test (own topics, consumer groups, MongoDB database, KPI prefix and
 * archive dir): each DAG is triggered through Airflow's REST API with the test's gateway and
 * dashboard in the run's conf, and must reach `success`; a DAG whose check does not hold must end
 * `failed`, in the task that checks it.
 *
 * spark_analytics_pipeline needs the Spark service too (npm run stack -- up --all starts both).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { createRedisClient } from '../shared/kpi/adapters/redis-store.ts';
import { FUNCTIONS, seededStream, acceptedOf, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';

const config = loadConfig();
const AIRFLOW = config.airflowUrl.replace(/\/$/, '');
const RUN_TIMEOUT_MS = 240_000;

function airflowPassword(): string {
  if (config.airflowPassword) return config.airflowPassword;
  const file = path.join(config.localDir, 'airflow', 'password');
  if (!fs.existsSync(file)) throw new Error(`no Airflow password: set AIRFLOW_PASSWORD or start Airflow once (npm run stack -- up --all), which writes ${file}`);
  return fs.readFileSync(file, 'utf8').trim();
}

let token = '';

async function api<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${AIRFLOW}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

interface TaskInstance {
  task_id: string;
  state: string | null;
}

interface RunOutcome {
  state: string;
  tasks: Record<string, string | null>;
  ms: number;
}

/** Unpause, trigger with `conf`, wait for a final state; the state of every task. */
async function runDag(dagId: string, conf: Record<string, unknown>): Promise<RunOutcome & { runId: string }> {
  await api('PATCH', `/api/v2/dags/${dagId}`, { is_paused: false });
  const t0 = Date.now();
  const run = await api<{ dag_run_id: string }>('POST', `/api/v2/dags/${dagId}/dagRuns`, { logical_date: null, conf });
  const runId = run.dag_run_id;
  const state = await waitFor(
    async () => {
      const r = await api<{ state: string }>('GET', `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
      return r.state === 'success' || r.state === 'failed' ? r.state : undefined;
    },
    { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 1_000, what: `DAG ${dagId} run ${runId} to finish` },
  );
  const ms = Date.now() - t0;
  const tis = await api<{ task_instances: TaskInstance[] }>('GET', `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances`);
  return { runId, state, ms, tasks: Object.fromEntries(tis.task_instances.map((t) => [t.task_id, t.state])) };
}

async function xcom<T>(dagId: string, runId: string, taskId: string): Promise<T> {
  const r = await api<{ value: T }>('GET', `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances/${taskId}/xcomEntries/return_value`);
  return r.value;
}

/** The functions this test's pipeline runs (the DAGs call them through its gateway). */
const STARTED = [...FUNCTIONS, 'archive-check', 'archive-move', 'monitor', 'quality', 'analytics'];

let kp: KpiPipeline;
let orders = 0;
let base: Record<string, unknown>;

beforeAll(async () => {
  const health = await fetch(`${AIRFLOW}/api/v2/monitor/health`, { signal: AbortSignal.timeout(30_000) }).catch((e: unknown) => {
    throw new Error(`Airflow does not answer at ${AIRFLOW} (${String(e)}): start it with npm run stack -- up --all (or --only airflow)`);
  });
  expect(health.status).toBe(200);
  token = (await api<{ access_token: string }>('POST', '/auth/token', { username: 'admin', password: airflowPassword() })).access_token;
  expect(token).toMatch(/^ey/);

  kp = await startKpiPipeline('airflow', { quiet: true, functions: STARTED });
  const { messages } = seededStream(300, 81);
  orders = acceptedOf(messages).length;
  await kp.send(messages);
  await waitFor(async () => (await kp.get<{ orders: number }>('/api/kpis/summary')).orders === orders, { timeoutMs: 120_000, intervalMs: 250, what: `${orders} orders to reach the KPIs` });
  base = { gateway_url: kp.pipeline.gatewayUrl, dashboard_url: kp.dashboard.url, group_prefix: kp.groupPrefix };
}, 300_000);

afterAll(async () => {
  await kp?.close();
});

describe('Airflow DAGs against the real pipeline', () => {
  it('every DAG file parses (no import errors) and the five ids are there', async () => {
    const errors = await api<{ import_errors: unknown[] }>('GET', '/api/v2/importErrors');
    expect(errors.import_errors).toEqual([]);
    const dags = await api<{ dags: { dag_id: string }[] }>('GET', '/api/v2/dags?limit=100');
    expect(dags.dags.map((d) => d.dag_id)).toEqual(expect.arrayContaining(['spark_analytics_pipeline', 'mongodb_archiving_pipeline', 'data_generation_monitoring', 'data_quality_monitoring', 'performance_monitoring']));
  });

  it('mongodb_archiving_pipeline: checks the hot store through archive-check, archives nothing below the threshold, no batch stuck', async () => {
    const r = await runDag('mongodb_archiving_pipeline', base);
    expect(r).toMatchObject({ state: 'success', tasks: { check: 'success', batches: 'success' } });
    const check = await xcom<{ decision: string; size_mb: number }>('mongodb_archiving_pipeline', r.runId, 'check');
    expect(check.decision).toBe('below-threshold');
    expect(check.size_mb).toBeGreaterThan(0);
    expect(await xcom('mongodb_archiving_pipeline', r.runId, 'batches')).toEqual({ in_flight: 0 });
  }, RUN_TIMEOUT_MS + 10_000);

  it('data_generation_monitoring: functions healthy, the connector groups read with no lag, the orders counted', async () => {
    const r = await runDag('data_generation_monitoring', { ...base, window_seconds: 2, max_lag: 0 });
    expect(r).toMatchObject({ state: 'success', tasks: { pipeline_health: 'success', kafka_and_hot_store: 'success', events_per_minute: 'success' } });
    expect(await xcom('data_generation_monitoring', r.runId, 'kafka_and_hot_store')).toEqual({ total_lag: 0, hot_orders: orders });
    expect(await xcom('data_generation_monitoring', r.runId, 'events_per_minute')).toMatchObject({ orders, orders_per_minute: 0 });
  }, RUN_TIMEOUT_MS + 10_000);

  it('performance_monitoring: every running function answers its health in time; store and archive sizes read', async () => {
    const r = await runDag('performance_monitoring', { ...base, window_seconds: 2, samples: 2 });
    expect(r).toMatchObject({ state: 'success', tasks: { function_latencies: 'success', store_sizes: 'success' } });
    const lat = await xcom<Record<string, { median_ms: number }>>('performance_monitoring', r.runId, 'function_latencies');
    expect(Object.keys(lat).sort()).toEqual([...STARTED].sort());
    expect(await xcom('performance_monitoring', r.runId, 'store_sizes')).toMatchObject({ hot_orders: orders, archive_mb: 0, archive_files: 0 });
  }, RUN_TIMEOUT_MS + 10_000);

  it('spark_analytics_pipeline: the analytics function runs on Spark through the gateway and its results are served', async () => {
    const r = await runDag('spark_analytics_pipeline', { ...base, timeout_seconds: 600 });
    expect(r).toMatchObject({ state: 'success' });
    expect(Object.values(r.tasks).every((t) => t === 'success')).toBe(true);
    const summary = await kp.get<{ engine: string; orders: number }>('/api/history/summary');
    expect(summary).toMatchObject({ engine: 'spark', orders });
  }, RUN_TIMEOUT_MS + 10 * 60_000);

  it('data_quality_monitoring: succeeds on true KPIs, fails in its quality task when a served KPI is made wrong on purpose', async () => {
    const ok = await runDag('data_quality_monitoring', base);
    expect(ok).toMatchObject({ state: 'success', tasks: { quality: 'success' } });
    const redis = createRedisClient(kp.config.redisUrl, 'airflow-test');
    try {
      const key = `${kp.config.kpiPrefix}views:summary`;
      const served = JSON.parse((await redis.get(key)) ?? 'null') as { orders: number; revenue: number };
      expect(served.orders).toBe(orders);
      await redis.set(key, JSON.stringify({ ...served, revenue: Math.round((served.revenue + 1.23) * 100) / 100 }));
      const wrong = await runDag('data_quality_monitoring', base);
      expect(wrong).toMatchObject({ state: 'failed', tasks: { quality: 'failed' } });
    } finally {
      redis.disconnect();
    }
  }, 2 * RUN_TIMEOUT_MS + 30_000);

  it('fails loudly: a consumer group over the lag threshold, and an unreachable gateway, each end in a failed task', async () => {
    // A consumer group of this pipeline's prefix that has read nothing of the orders topic: it lags by every order.
    const laggard = `${kp.groupPrefix}laggard`;
    const admin = createKafka(kp.config, 'airflow-test').admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: laggard, topic: kp.config.topics.orders, partitions: (await admin.fetchTopicOffsets(kp.config.topics.orders)).map((o) => ({ partition: o.partition, offset: o.low })) });
      const lagging = await runDag('data_generation_monitoring', { ...base, window_seconds: 1, max_lag: 10 });
      expect(lagging).toMatchObject({ state: 'failed', tasks: { pipeline_health: 'success', kafka_and_hot_store: 'failed' } });
      expect(lagging.tasks.events_per_minute).not.toBe('success');
    } finally {
      await admin.deleteGroups([laggard]).catch(() => undefined);
      await admin.disconnect();
    }

    const unreachable = await runDag('mongodb_archiving_pipeline', { ...base, gateway_url: 'http://127.0.0.1:1' });
    expect(unreachable).toMatchObject({ state: 'failed', tasks: { check: 'failed' } });
    expect(unreachable.tasks.batches).not.toBe('success');
  }, 2 * RUN_TIMEOUT_MS + 30_000);
});
