/**
 * archive-check on the REAL MongoDB/FerretDB: size reading and decision on real collStats, the
 * asynchronous invocation over HTTP (a real HTTP server standing in for the gateway), and end to
 * end through the project's real gateway (dev/local/pipeline.ts) running archive-check and
 * archive-move as function processes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { COLLECTIONS } from '../shared/adapters/mongo.ts';
import { runCheck, sizeFacts } from '../shared/archive/check.ts';
import { HttpInvoker } from '../shared/adapters/gateway.ts';
import { LocalCatalog } from '../shared/archive/adapters/local-catalog.ts';
import { LocalStorage } from '../shared/archive/adapters/local-storage.ts';
import { runMove } from '../shared/archive/move.ts';
import { openArchiveRuntime, type ArchiveRuntime } from '../shared/archive/adapters/open.ts';
import { buildFacts, type FactFixture } from '../shared/archive/testing/facts.ts';
import { archiveState } from '../shared/archive/testing/invariants.ts';
import { hotOrderIds, seedHotStore, testDbName } from '../shared/archive/testing/seed.ts';
import { startPipeline, type Pipeline } from '../dev/local/pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';

const config = loadConfig();
const log = createLogger({ test: 'archive-check.int' }, () => undefined);
let dir: string;
let dbName: string;
let rt: ArchiveRuntime;
let seeded: FactFixture[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'op-archive-check-'));
  dbName = testDbName('archive_check');
  rt = await openArchiveRuntime(config, {
    dbName,
    log,
    backends: { storage: new LocalStorage(dir), catalog: new LocalCatalog(path.join(dir, '_catalog.json')), kind: { storage: 'local', catalog: 'local' } },
  });
  seeded = buildFacts(400, { seed: 8, stepMs: 600_000 });
  await seedHotStore(rt.mongo.db, seeded);
});

afterEach(async () => {
  await rt.mongo.db.dropDatabase().catch(() => undefined);
  await rt.close();
  await rm(dir, { recursive: true, force: true });
});

async function fakeGateway(): Promise<{ server: Server; url: string; calls: { path: string; body: unknown; method: string }[] }> {
  const calls: { path: string; body: unknown; method: string }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', method: req.method ?? '', body: raw ? (JSON.parse(raw) as unknown) : undefined });
      res.writeHead(202, { 'x-call-id': `call-${calls.length}` }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

describe('archive-check on FerretDB', () => {
  it('reads real sizes, asks for enough orders over HTTP, and the move brings the store under the threshold', async () => {
    const size = sizeFacts(await rt.hot.readSize());
    expect(size.factCount).toBe(400);
    expect(size.factBytes).toBeGreaterThan(400 * 100); // FerretDB page-granular: only a lower bound
    const thresholdMb = (size.totalBytes * 0.6) / (1024 * 1024);
    const gw = await fakeGateway();
    try {
      const reading = await runCheck(rt.checkDeps(new HttpInvoker(gw.url)), { thresholdMb, lowWaterFraction: 0.8 });
      expect(reading.decision).toBe('move');
      expect(reading.orders_to_move).toBeGreaterThan(0);
      expect(reading.orders_to_move).toBeLessThanOrEqual(400);
      expect(gw.calls).toEqual([{ path: '/async-function/archive-move', method: 'POST', body: { orders: reading.orders_to_move, until_below_mb: reading.low_water_mb } }]);
      expect(reading.invoked).toEqual({ function: 'archive-move', status: 202, call_id: 'call-1' });
      expect(await rt.status.load()).toEqual(reading);

      // What archive-move would do with that request; then the store is under the threshold.
      await runMove(rt.moveDeps(), { orders: reading.orders_to_move });
      const again = await runCheck(rt.checkDeps(new HttpInvoker(gw.url)), { thresholdMb, lowWaterFraction: 0.8 });
      expect(again.size_mb).toBeLessThanOrEqual(thresholdMb);
      expect(again.decision).toBe('below-threshold');
      expect(gw.calls).toHaveLength(1);
    } finally {
      gw.server.close();
    }
  });

  it('does not invoke a second move while one holds the lease', async () => {
    const gw = await fakeGateway();
    try {
      await rt.lock.acquire('running-move', 60_000);
      const reading = await runCheck(rt.checkDeps(new HttpInvoker(gw.url)), { thresholdMb: 0.001, lowWaterFraction: 0.8 });
      expect(reading.decision).toBe('move-in-progress');
      expect(gw.calls).toEqual([]);
    } finally {
      await rt.lock.release('running-move');
      gw.server.close();
    }
  });

  it('fails clearly when the gateway is unreachable, keeping the reading', async () => {
    const err = await runCheck(rt.checkDeps(new HttpInvoker('http://127.0.0.1:1')), { thresholdMb: 0.001, lowWaterFraction: 0.8 }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/is the pipeline running/);
    expect(await rt.status.load()).toMatchObject({ decision: 'move', invoked: null });
  });
});

describe('archive-check → gateway → archive-move (real runtime)', () => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('the cron-style invocation archives through the gateway, and GET returns the last reading', async () => {
    const size = sizeFacts(await rt.hot.readSize());
    const thresholdMb = String((size.totalBytes * 0.7) / (1024 * 1024));
    pipeline = await startPipeline({
      only: ['archive-check', 'archive-move'],
      gatewayPort: 0,
      kafka: false,
      cron: false,
      dashboard: false,
      env: { MONGO_DB: dbName, ARCHIVE_URL: `file://${dir}`, HIVE_METASTORE_URI: '', ARCHIVE_THRESHOLD_MB: thresholdMb, ARCHIVE_LOW_WATER: '0.8' },
      log,
    });
    const res = await pipeline.gatewayFetch(`/function/archive-check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    const reading = (await res.json()) as { decision: string; orders_to_move: number; invoked: { status: number } | null };
    expect(reading.decision).toBe('move');
    expect(reading.invoked?.status).toBe(202);

    // archive-move runs asynchronously: wait (bounded) until its batch is deleted from the hot store.
    await waitFor(async () => (await rt.mongo.db.collection('archive_manifest').countDocuments({ step: 'deleted' })) > 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'archive-move to finish a batch (see the pipeline log)',
    });
    expect(await rt.mongo.db.collection(COLLECTIONS.fact).countDocuments()).toBe(400 - reading.orders_to_move);
    const st = await archiveState(rt.backends.storage, rt.backends.catalog, await hotOrderIds(rt.mongo.db), seeded.map((f) => f.fact.order_id));
    expect(st.problems).toEqual([]);
    expect(st.archivedIds).toHaveLength(reading.orders_to_move);

    const last = await pipeline.gatewayFetch(`/function/archive-check`);
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({ decision: 'move', orders_to_move: reading.orders_to_move });
    const moves = (await (await pipeline.gatewayFetch(`/function/archive-move`)).json()) as { in_flight: unknown[]; recent: { step: string }[] };
    expect(moves.in_flight).toEqual([]);
    expect(moves.recent.map((b) => b.step)).toEqual(['deleted']);
  });
});
