import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownedPid, readPid, tailFile, waitFor, withLock } from './proc.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'op-proc-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tailFile', () => {
  it('returns the last n lines, and "" for a missing file', () => {
    const f = path.join(dir, 'a.log');
    fs.writeFileSync(f, Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n\n');
    expect(tailFile(f, 3)).toBe('line 47\nline 48\nline 49');
    expect(tailFile(path.join(dir, 'missing.log'))).toBe('');
  });
});

describe('pid files', () => {
  it('reads valid pids only and checks the command line marker', () => {
    const f = path.join(dir, 'x.pid');
    fs.writeFileSync(f, `${process.pid}\n`);
    expect(readPid(f)).toBe(process.pid);
    expect(ownedPid(f, 'node')).toBe(process.pid);
    expect(ownedPid(f, 'definitely-not-this-process-marker')).toBeUndefined();
    fs.writeFileSync(f, 'garbage');
    expect(readPid(f)).toBeUndefined();
    expect(readPid(path.join(dir, 'none.pid'))).toBeUndefined();
  });
});

describe('waitFor', () => {
  it('resolves ok once the check passes', async () => {
    let n = 0;
    const r = await waitFor(async () => ++n >= 3, { timeoutMs: 2_000, intervalMs: 10 });
    expect(r.ok).toBe(true);
    expect(n).toBe(3);
  });

  it('times out, treats a throwing check as not ready, and stops early on abort', async () => {
    const t = await waitFor(async () => {
      throw new Error('x');
    }, { timeoutMs: 100, intervalMs: 20 });
    expect(t).toMatchObject({ ok: false });
    const a = await waitFor(async () => false, { timeoutMs: 5_000, intervalMs: 10, abort: () => 'died' });
    expect(a).toMatchObject({ ok: false, reason: 'died' });
    expect(a.ms).toBeLessThan(1_000);
  });
});

describe('withLock', () => {
  it('serialises holders and takes over a lock left by a dead process', async () => {
    const lock = path.join(dir, 'x.lock');
    const order: string[] = [];
    const hold = (tag: string, ms: number) =>
      withLock(lock, async () => {
        order.push(`${tag}+`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${tag}-`);
      }, { timeoutMs: 5_000 });
    await Promise.all([hold('a', 150), hold('b', 10)]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);
    expect(fs.existsSync(lock)).toBe(false);

    fs.writeFileSync(lock, '999999999\n'); // no such process
    expect(await withLock(lock, async () => 'got it', { timeoutMs: 2_000 })).toBe('got it');
  });

  it('times out while a live process holds it', async () => {
    const lock = path.join(dir, 'y.lock');
    fs.writeFileSync(lock, `${process.ppid}\n`);
    let waitedFor = 0;
    await expect(withLock(lock, async () => 1, { timeoutMs: 300, onWait: (p) => (waitedFor = p) })).rejects.toThrow(/still held by pid/);
    expect(waitedFor).toBe(process.ppid);
    fs.rmSync(lock);
  });
});
