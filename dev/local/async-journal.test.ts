import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileJournal } from './async-journal.ts';
import { AsyncQueue, type AsyncCall, type CallResult } from './async-queue.ts';
import { createLogger } from '../../shared/platform/log.ts';

const silent = createLogger({}, () => undefined);
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'op-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const call = (i: number, fn = 'f'): AsyncCall => ({
  callId: `c${i}`,
  fn,
  method: 'POST',
  path: '/x?y=1',
  headers: { 'content-type': 'application/octet-stream' },
  body: Buffer.from([0, 255, 10, i]),
  callbackUrl: i % 2 ? 'http://127.0.0.1:1/cb' : undefined,
  enqueuedAt: 1_700_000_000_000 + i,
});
const ok: CallResult = { status: 200, headers: {}, body: Buffer.alloc(0) };

describe('fileJournal', () => {
  it('keeps each call (binary body included) until removed, oldest first; drops unacknowledged temp files, reports unreadable ones', () => {
    const dir = tmp();
    const j = fileJournal(dir);
    const calls = [call(2), call(1), call(3)];
    for (const c of calls) j.add(c);
    expect(calls.every((c) => typeof c.journalKey === 'string')).toBe(true);
    j.remove(calls[1]!);
    writeFileSync(path.join(dir, '.half-written.tmp'), 'x');
    writeFileSync(path.join(dir, 'garbage.call'), 'not json\n');
    const { calls: back, unreadable } = fileJournal(dir).load();
    expect(back.map((c) => c.callId)).toEqual(['c2', 'c3']);
    expect(back[0]).toEqual(calls[0]);
    expect(back[1]!.body.equals(Buffer.from([0, 255, 10, 3]))).toBe(true);
    expect(unreadable).toEqual(['garbage.call']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('AsyncQueue with a journal', () => {
  const queue = (dir: string, invoke: (c: AsyncCall) => Promise<CallResult>): AsyncQueue =>
    new AsyncQueue({ invoke, callback: async () => {}, log: silent, concurrency: 1, maxAttempts: 50, maxRequests: 100, maxBytes: 1e6, backoff: { initialMs: 5, maxMs: 10 }, journal: fileJournal(dir) });

  it('a call done leaves the journal; calls not run before close() stay and run after restore()', async () => {
    const dir = tmp();
    const ran: string[] = [];
    let gate: (() => void) | undefined;
    const q1 = queue(dir, async (c) => {
      if (c.callId !== 'c0') await new Promise<void>((r) => (gate = r));
      ran.push(c.callId);
      return ok;
    });
    for (let i = 0; i < 4; i++) expect(q1.enqueue(call(i)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual(['c0']);
    const closing = q1.close(10);
    await new Promise((r) => setTimeout(r, 30));
    gate?.(); // c1 was running: it finishes within close()'s wait
    expect((await closing).sort()).toEqual(['c2', 'c3']);
    expect(fileJournal(dir).load().calls.map((c) => c.callId)).toEqual(['c2', 'c3']);

    const q2 = queue(dir, async (c) => {
      ran.push(c.callId);
      return ok;
    });
    expect(q2.restore(() => true)).toEqual({ restored: 2, waiting: 0, unreadable: [] });
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(fileJournal(dir).load().calls).toEqual([]);
    await q2.close(10);
  });

  it('a call still retrying when close() cuts it short stays journaled; one whose function is not running waits', async () => {
    const dir = tmp();
    const q1 = queue(dir, async () => ({ status: 503, headers: {}, body: Buffer.alloc(0) }));
    q1.enqueue(call(0));
    await new Promise((r) => setTimeout(r, 30));
    await q1.close(10);
    expect(q1.failed).toBe(0);
    expect(fileJournal(dir).load().calls.map((c) => c.callId)).toEqual(['c0']);
    const q2 = queue(dir, async () => ok);
    expect(q2.restore((fn) => fn !== 'f')).toEqual({ restored: 0, waiting: 1, unreadable: [] });
    await q2.close(10);
    expect(fileJournal(dir).load().calls.map((c) => c.callId)).toEqual(['c0']);
  });
});
