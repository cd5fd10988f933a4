/**
 * Process helpers for the local stack: detached spawn with a log file and a pid file,
 * waiting for a health check with a timeout, stopping with SIGTERM then SIGKILL,
 * and small probes (is a port taken? what does a log end with?).
 */
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface DetachedSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  pidFile: string;
}

/** Start a process in its own session that survives our exit; returns its pid (also written to pidFile). */
export function spawnDetached(spec: DetachedSpec): Promise<number> {
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  fs.mkdirSync(path.dirname(spec.pidFile), { recursive: true });
  const fd = fs.openSync(spec.logFile, 'a');
  return new Promise((resolve, reject) => {
    let settled = false;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.once('error', (err) => {
      fs.closeSync(fd);
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    child.once('spawn', () => {
      fs.closeSync(fd);
      const pid = child.pid;
      child.unref();
      if (pid === undefined) {
        settled = true;
        reject(new Error(`${spec.command} did not get a pid`));
        return;
      }
      fs.writeFileSync(spec.pidFile, `${pid}\n`);
      settled = true;
      resolve(pid);
    });
  });
}

export function readPid(pidFile: string): number | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(pidFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  const pid = Number(raw);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) still answers kill(0); treat it as dead.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** The command line of a live process, or undefined (no /proc entry). */
export function cmdlineOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * The pid from pidFile when that process is alive and its command line contains `marker`
 * (guards against a stale pid file whose number was reused by an unrelated process).
 */
export function ownedPid(pidFile: string, marker: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) return undefined;
  const cmd = cmdlineOf(pid);
  if (cmd !== undefined && !cmd.includes(marker)) return undefined;
  return pid;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each probe: give up early (e.g. the process died). Return a reason to stop. */
  abort?: () => string | undefined;
}

export type WaitResult = { ok: true; ms: number } | { ok: false; ms: number; reason: string };

/** Poll `check` until it resolves true, the timeout passes, or `abort` gives a reason. */
export async function waitFor(check: () => Promise<boolean>, opts: WaitOptions): Promise<WaitResult> {
  const start = Date.now();
  const interval = opts.intervalMs ?? 250;
  for (;;) {
    const why = opts.abort?.();
    if (why !== undefined) return { ok: false, ms: Date.now() - start, reason: why };
    let ok = false;
    try {
      ok = await check();
    } catch {
      ok = false;
    }
    if (ok) return { ok: true, ms: Date.now() - start };
    if (Date.now() - start >= opts.timeoutMs) return { ok: false, ms: Date.now() - start, reason: `not healthy after ${Math.round(opts.timeoutMs / 1000)} s` };
    await sleep(interval);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    // Our services lead their own process group (detached spawn): signal the whole group.
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL. Resolves true when it had to kill. */
export async function stopPid(pid: number, graceMs: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  signal(pid, 'SIGTERM');
  const r = await waitFor(async () => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 100 });
  if (r.ok) return false;
  signal(pid, 'SIGKILL');
  await waitFor(async () => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 50 });
  return true;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (v: boolean): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The last `lines` lines of a (possibly large) text file; '' when it does not exist. */
export function tailFile(file: string, lines = 20, maxBytes = 64 * 1024): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const all = buf.toString('utf8').replace(/\s+$/, '').split('\n');
    return all.slice(-lines).join('\n');
  } finally {
    fs.closeSync(fd);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion, capturing output (for installs and one-shot tools). */
export function run(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 15 * 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') {
          reject(err);
          return;
        }
        const code = err ? Number((err as { code?: number }).code) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** True when `command` is found on PATH. */
export async function onPath(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    try {
      fs.accessSync(path.join(d, command), fs.constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/**
 * Run `fn` holding an exclusive lock file (created with O_EXCL, holding our pid). Another live
 * holder makes us wait (so two `stack up` at once do not install or spawn twice); a lock left by a
 * dead process is taken over.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: { timeoutMs: number; onWait?: (ownerPid: number) => void }): Promise<T> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const start = Date.now();
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readPid(file);
    if (owner === undefined || !isAlive(owner)) {
      // Stale (or being written this instant: then the next round sees the owner).
      if (owner !== undefined || Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 2_000) fs.rmSync(file, { force: true });
      await sleep(50);
      continue;
    }
    if (!told) {
      told = true;
      opts.onWait?.(owner);
    }
    if (Date.now() - start > opts.timeoutMs) throw new Error(`lock ${file} still held by pid ${owner} after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
