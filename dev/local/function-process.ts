/**
 * Supervisor for one local process (a function running the node24-ts template, or the dashboard):
 * spawns `node --import tsx <entry>`, waits until its health endpoint answers 200, restarts it
 * with backoff when it dies or stops answering, and stops it with SIGTERM (SIGKILL after a grace).
 * This plays the part of of-watchdog + the container orchestrator locally.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import type { Logger } from '../../shared/platform/log.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../../connectors/backoff.ts';
import { freePort } from '../testing/free-port.ts';

/** URL of tsx's loader, so `--import` works whatever the child's working directory is. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export type ProcessState = 'starting' | 'ready' | 'down' | 'stopped';

export interface ManagedProcessOptions {
  name: string;
  /** Absolute path of the TypeScript entry point. */
  entry: string;
  /** Full environment of the child (the caller merges process.env and overrides). */
  env: Record<string, string>;
  /** Fixed port; when omitted a free port is picked at every (re)start. */
  port?: number;
  /** Environment variable carrying the port (default PORT). */
  portEnv?: string;
  healthPath: string;
  log: Logger;
  startTimeoutMs?: number;
  stopGraceMs?: number;
  restartBackoff?: BackoffPolicy;
  /** Liveness: a health check every livenessEveryMs; after livenessFailures consecutive failures the process is killed and restarted. */
  livenessEveryMs?: number;
  livenessFailures?: number;
  cwd?: string;
}

async function probe(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

export class ManagedProcess {
  readonly name: string;
  state: ProcessState = 'stopped';
  port: number | undefined;
  pid: number | undefined;
  restarts = 0;
  lastExit: { code: number | null; signal: string | null; at: string } | undefined;
  private child: ChildProcess | undefined;
  private readonly opts: ManagedProcessOptions;
  private waiters: (() => void)[] = [];
  private stopping = false;
  private failuresInRow = 0;
  private readySince = 0;
  private liveness: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(opts: ManagedProcessOptions) {
    this.opts = opts;
    this.name = opts.name;
  }

  get url(): string | undefined {
    return this.port === undefined ? undefined : `http://127.0.0.1:${this.port}`;
  }

  /** Start (does not wait for readiness: use waitReady). */
  start(): void {
    this.stopping = false;
    void this.spawnOnce();
  }

  /** Resolves true when ready, false after timeoutMs or when stopped. */
  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.state === 'ready') return Promise.resolve(true);
    if (this.stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(t);
        resolve(this.state === 'ready');
      };
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async spawnOnce(): Promise<void> {
    const { log } = this.opts;
    this.state = 'starting';
    const port = this.opts.port ?? (await freePort());
    if (this.stopping) return;
    this.port = port;
    const env = { ...this.opts.env, [this.opts.portEnv ?? 'PORT']: String(port), ORDERPULSE_PARENT_PID: String(process.pid) };
    const child = spawn(process.execPath, ['--import', TSX_LOADER, this.opts.entry], {
      env,
      cwd: this.opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.pid = child.pid;
    log.info('process started', { port, pid: child.pid, restarts: this.restarts });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.forward(line));
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.onExit(child, code, signal);
        resolve();
      });
    });
    child.once('error', (err) => log.error('cannot spawn process', { err }));
    void this.awaitHealthy(child, port);
  }

  private forward(line: string): void {
    if (line.startsWith('{')) {
      process.stderr.write(line + '\n');
      return;
    }
    if (line.trim() !== '') this.opts.log.info('output', { line });
  }

  private async awaitHealthy(child: ChildProcess, port: number): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 60_000);
    const url = `http://127.0.0.1:${port}${this.opts.healthPath}`;
    while (this.child === child && child.exitCode === null && !this.stopping) {
      if (await probe(url, 1000)) {
        if (this.child !== child || this.stopping) return;
        this.state = 'ready';
        this.readySince = Date.now();
        this.failuresInRow = 0;
        this.opts.log.info('process ready', { port, pid: child.pid });
        this.wake();
        this.startLiveness(child, url);
        return;
      }
      if (Date.now() > deadline) {
        this.opts.log.error('process did not become healthy in time; killing it', { pid: child.pid, url, timeoutMs: this.opts.startTimeoutMs ?? 60_000 });
        child.kill('SIGKILL');
        return;
      }
      await sleep(100);
    }
  }

  private startLiveness(child: ChildProcess, url: string): void {
    const every = this.opts.livenessEveryMs ?? 5000;
    const allowed = this.opts.livenessFailures ?? 12;
    clearInterval(this.liveness);
    this.liveness = setInterval(() => {
      void probe(url, every).then((ok) => {
        if (this.child !== child || this.stopping) return;
        this.failuresInRow = ok ? 0 : this.failuresInRow + 1;
        if (this.failuresInRow >= allowed) {
          this.opts.log.error('process stopped answering its health check; killing it', { pid: child.pid, failures: this.failuresInRow });
          child.kill('SIGKILL');
        }
      });
    }, every);
    this.liveness.unref();
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child !== child) return;
    clearInterval(this.liveness);
    this.child = undefined;
    this.pid = undefined;
    this.lastExit = { code, signal, at: new Date().toISOString() };
    if (this.stopping) {
      this.state = 'stopped';
      this.wake();
      return;
    }
    this.state = 'down';
    // Back off harder when it keeps crashing; start over after a healthy minute.
    if (this.readySince && Date.now() - this.readySince > 60_000) this.restarts = 0;
    this.readySince = 0;
    this.restarts++;
    const delay = backoffDelay(this.opts.restartBackoff ?? { initialMs: 200, maxMs: 10_000 }, this.restarts);
    this.opts.log.warn('process exited; restarting', { code, signal, restartInMs: delay, restarts: this.restarts });
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) void this.spawnOnce();
    }, delay);
  }

  /** SIGTERM, then SIGKILL after stopGraceMs. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.liveness);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.state = 'stopped';
      this.wake();
      return;
    }
    child.kill('SIGTERM');
    const grace = this.opts.stopGraceMs ?? 15_000;
    const killer = setTimeout(() => {
      this.opts.log.warn('process ignored SIGTERM; killing it', { pid: child.pid, graceMs: grace });
      child.kill('SIGKILL');
    }, grace);
    await this.exited;
    clearTimeout(killer);
  }
}
