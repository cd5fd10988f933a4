import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownedPid, readPid, tailFile, waitFor } from './proc.ts';

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
