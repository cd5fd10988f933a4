/**
 * The replicas of one function (com.openfaas.scale.min, or the pipeline's --replicas): N
 * supervised processes (function-process.ts), each on its own port and restarted on its own, and
 * the gateway's choice among them. A call goes to the ready replica with the fewest calls in
 * flight, ties broken round robin; a replica that is not ready (starting, restarting after a
 * crash) gets nothing. A call already in flight on a replica that dies fails with a connection
 * error, which the gateway answers 502 `retriable: true` (the Kafka connector retries it).
 */
import type { ManagedProcess, ProcessState } from './function-process.ts';

/** A replica taken for one call: `release()` exactly once when the call is over. */
export interface Lease {
  index: number;
  port: number;
  release(): void;
}

/**
 * Index of the replica a call should go to: among the ready ones, the fewest in flight, ties
 * going to the first at or after `cursor` (round robin). -1 when none is ready. Pure.
 */
export function pickReplica(replicas: readonly { ready: boolean; inFlight: number }[], cursor: number): number {
  let best = -1;
  const n = replicas.length;
  for (let k = 0; k < n; k++) {
    const i = (((cursor + k) % n) + n) % n;
    const r = replicas[i]!;
    if (!r.ready) continue;
    if (best === -1 || r.inFlight < replicas[best]!.inFlight) best = i;
  }
  return best;
}

/** The state of the whole set as one function: ready when any replica is. */
export function combinedState(states: readonly ProcessState[]): ProcessState {
  for (const s of ['ready', 'starting', 'down'] as const) if (states.includes(s)) return s;
  return 'stopped';
}

export class ReplicaSet {
  readonly name: string;
  readonly replicas: readonly ManagedProcess[];
  private readonly inFlight: number[];
  /** Calls given to each replica since the start. */
  private readonly served: number[];
  private cursor = 0;

  constructor(name: string, replicas: readonly ManagedProcess[]) {
    if (replicas.length === 0) throw new Error(`function ${name}: a replica set needs at least one process`);
    this.name = name;
    this.replicas = replicas;
    this.inFlight = replicas.map(() => 0);
    this.served = replicas.map(() => 0);
  }

  start(): void {
    for (const r of this.replicas) r.start();
  }

  get state(): ProcessState {
    return combinedState(this.replicas.map((r) => r.state));
  }

  /** Pid of the first running replica (the single-replica view tests and benches use). */
  get pid(): number | undefined {
    return this.replicas.find((r) => r.pid !== undefined)?.pid;
  }

  get port(): number | undefined {
    return this.replicas.find((r) => r.state === 'ready')?.port ?? this.replicas[0]!.port;
  }

  /** Restarts of all replicas together. */
  get restarts(): number {
    return this.replicas.reduce((a, r) => a + r.restarts, 0);
  }

  get readyCount(): number {
    return this.replicas.filter((r) => r.state === 'ready').length;
  }

  pids(): (number | null)[] {
    return this.replicas.map((r) => r.pid ?? null);
  }

  /** Per replica, for /system/functions. */
  describe(): { index: number; state: ProcessState; pid: number | null; port: number | null; restarts: number; inFlight: number; invocations: number }[] {
    return this.replicas.map((r, index) => ({ index, state: r.state, pid: r.pid ?? null, port: r.port ?? null, restarts: r.restarts, inFlight: this.inFlight[index]!, invocations: this.served[index]! }));
  }

  /** Resolves true as soon as any replica is ready, false after timeoutMs (or when all are stopped). */
  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.replicas.some((r) => r.state === 'ready')) return Promise.resolve(true);
    return new Promise((resolve) => {
      let pending = this.replicas.length;
      for (const r of this.replicas) {
        void r.waitReady(timeoutMs).then((ok) => {
          if (ok) resolve(true);
          else if (--pending === 0) resolve(false);
        });
      }
    });
  }

  /** Resolves true once every replica is ready, false after timeoutMs (start-up waits for this). */
  async waitAllReady(timeoutMs: number): Promise<boolean> {
    const ok = await Promise.all(this.replicas.map((r) => r.waitReady(timeoutMs)));
    return ok.every(Boolean);
  }

  /** A ready replica for one call (least in flight), waiting up to timeoutMs for one; undefined when none became ready. */
  async acquire(timeoutMs: number): Promise<Lease | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lease = this.tryAcquire();
      if (lease) return lease;
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.waitReady(left))) return undefined;
    }
  }

  private tryAcquire(): Lease | undefined {
    const view = this.replicas.map((r, i) => ({ ready: r.state === 'ready' && r.port !== undefined, inFlight: this.inFlight[i]! }));
    const i = pickReplica(view, this.cursor);
    if (i === -1) return undefined;
    this.cursor = (i + 1) % this.replicas.length;
    this.inFlight[i]!++;
    this.served[i]!++;
    let released = false;
    return {
      index: i,
      port: this.replicas[i]!.port!,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight[i]!--;
      },
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.replicas.map((r) => r.stop()));
  }
}
