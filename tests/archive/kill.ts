/**
 * Runs archive-move in a child process (tests/archive/kill-child.ts), SIGKILLs it when its batch
 * reaches a step, and returns once the process is gone. Every wait has a timeout.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../shared/platform/config.ts';
import { waitFor } from '../../dev/testing/wait-for.ts';

export interface KillOptions {
  pauseAt: 'frozen' | 'written' | 'verified' | 'registered' | 'delete-chunk';
  env: Record<string, string>;
  timeoutMs?: number;
  /** Called while the child is parked at the step, before the kill (e.g. to assert the manifest). */
  beforeKill?: () => Promise<void>;
}

export async function runAndKill(opts: KillOptions): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests', 'archive', 'kill-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env, PAUSE_AT: opts.pauseAt },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    const state = await waitFor(() => (stdout.includes(`PAUSED ${opts.pauseAt}`) ? 'paused' : stdout.includes('FINISHED') || child.exitCode !== null ? 'ended' : undefined), {
      timeoutMs: opts.timeoutMs ?? 120_000,
      intervalMs: 50,
      what: `the archive-move child to reach ${opts.pauseAt}`,
    }).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}: ${stderr.slice(-2000)}`, { cause: err });
    });
    if (state === 'ended') throw new Error(`archive-move child ended before reaching ${opts.pauseAt}: ${stderr.slice(-2000)}`);
    await opts.beforeKill?.();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  const signal = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
  return { signal, stderr };
}
