/**
 * The node24-ts template as a real process under the supervisor: health, body limit, error
 * mapping, restart after SIGKILL, graceful SIGTERM calling the handler's shutdown().
 * No Kafka needed; uses loopback HTTP and child processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../shared/platform/log.ts';
import { ManagedProcess } from './function-process.ts';
import { TEMPLATE_ENTRY } from './pipeline.ts';
import { readJsonl } from './testdata/helpers.ts';
import { waitFor } from '../testing/wait-for.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'op-fnproc-'));
const record = path.join(dir, 'rec.jsonl');
const log = createLogger({ test: 'function-process' }, () => {});
let proc: ManagedProcess;

function stringEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

beforeAll(async () => {
  proc = new ManagedProcess({
    name: 'rec',
    entry: TEMPLATE_ENTRY,
    env: {
      ...stringEnv(),
      HANDLER_PATH: path.join(import.meta.dirname, 'testdata', 'recorder', 'handler.ts'),
      RECORD_FILE: record,
      MAX_BODY_BYTES: '2048',
      FAIL_FIRST_N: '1',
      FUNCTION_NAME: 'rec',
    },
    healthPath: '/_/health',
    log,
    restartBackoff: { initialMs: 50, maxMs: 200 },
    stopGraceMs: 5000,
  });
  proc.start();
  expect(await proc.waitReady(60_000)).toBe(true);
});

afterAll(async () => {
  await proc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('node24-ts template process under the supervisor', () => {
  it('serves /_/health from the handler module and maps errors to JSON', async () => {
    const h = await fetch(`${proc.url}/_/health`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok', pid: proc.pid });
    // FAIL_FIRST_N=1: the first call throws DependencyError -> 503 + errorBody.
    const first = await fetch(proc.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ code: 'dependency', retriable: true });
    const second = await fetch(proc.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ ok: true, attempt: 2 });
    expect(readJsonl(record).filter((r) => r.kind === 'http').map((r) => r.body)).toEqual([{ a: 1 }, { a: 1 }]);
  });

  it('enforces MAX_BODY_BYTES with 413', async () => {
    const r = await fetch(proc.url!, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('restarts a SIGKILLed process with a new pid', async () => {
    const old = proc.pid!;
    process.kill(old, 'SIGKILL');
    await waitFor(() => proc.state === 'ready' && proc.pid !== undefined && proc.pid !== old, { timeoutMs: 60_000, intervalMs: 100, what: 'a new pid' });
    expect(proc.restarts).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${proc.url}/_/health`)).status).toBe(200);
  });

  it('SIGTERM drains and calls the handler module shutdown()', async () => {
    const pid = proc.pid!;
    await proc.stop();
    expect(proc.state).toBe('stopped');
    expect(readJsonl(record).filter((r) => r.kind === 'shutdown').map((r) => r.pid)).toContain(pid);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
