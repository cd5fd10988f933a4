/**
 * The async queue loses nothing it accepted across a pipeline restart: calls still queued when the
 * gateway stops stay in its journal and run after the next start, each once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../shared/platform/log.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';
import { readJsonl, suffix } from './testdata/helpers.ts';
import { waitFor } from '../testing/wait-for.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'op-async-restart-'));
const journal = path.join(dir, 'journal');
const sfx = suffix();
let pipeline: Pipeline | undefined;

const start = (): Promise<Pipeline> =>
  startPipeline({
    stackFile: path.join(import.meta.dirname, 'testdata', 'stack.yml'),
    env: { TEST_DIR: dir, TEST_TOPIC_BATCH: `unused-${sfx}`, TEST_TOPIC_FLAKY: `unused-${sfx}`, TEST_TOPIC_KILL: `unused-${sfx}`, TEST_TOPIC_SINGLE: `unused-${sfx}`, LOG_LEVEL: 'warn' },
    functionEnv: { 'rec-http': { SLOW_MS: '400' } },
    only: ['rec-http'],
    gatewayPort: 0,
    kafka: false,
    cron: false,
    setup: false,
    asyncJournal: journal,
    async: { drainMs: 0 },
    log: createLogger({ test: 'async-restart' }),
  });

afterAll(async () => {
  await pipeline?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('async calls across a pipeline restart', () => {
  it('every accepted call runs exactly once, those queued at the stop after the next start', async () => {
    pipeline = await start();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await pipeline.gatewayFetch('/async-function/rec-http', { method: 'POST', headers: { 'content-type': 'application/json', 'x-call-id': `restart-${sfx}-${i}` }, body: JSON.stringify({ i }) });
      expect(r.status).toBe(202);
      ids.push(r.headers.get('x-call-id')!);
    }
    await pipeline.stop();
    const ran = (): string[] => readJsonl<{ kind: string; callId: string }>(path.join(dir, 'http.jsonl')).filter((x) => x.kind === 'http').map((x) => x.callId);
    const before = ran().length;
    expect(before).toBeLessThan(6); // some were still queued at the stop
    expect(readdirSync(journal).filter((f) => f.endsWith('.call')).length).toBe(6 - before);

    pipeline = await start();
    await waitFor(() => (ran().length >= 6 ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'all six calls run' });
    await waitFor(() => (readdirSync(journal).filter((f) => f.endsWith('.call')).length === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50, what: 'an empty journal' });
    expect(ran().sort()).toEqual([...ids].sort());
  });
});
