/**
 * Cron connector: for each function with `topic: cron-function` and `schedule`, invokes
 * /function/<name> at every fire time (UTC). Runs of one function never overlap: a tick that
 * comes while the previous run is still going is skipped and logged. Each run is logged with
 * its status and duration. No retries: the next tick is the retry.
 */
import type { Logger } from '../shared/platform/log.ts';
import { authHeaders, type GatewayCredentials } from '../shared/adapters/gateway.ts';
import { nextFire } from './cron.ts';
import type { FunctionDef } from './stackfile.ts';

export interface CronRun {
  fn: string;
  scheduledAt: string;
  status: number;
  durationMs: number;
  error?: string;
}

export interface CronConnectorOptions {
  functions: FunctionDef[];
  gatewayUrl: string;
  /** The gateway's basic-auth credentials (shared/adapters/gateway.ts readGatewayCredentials). */
  credentials?: GatewayCredentials | undefined;
  log: Logger;
  /** Injected for tests; default: POST to the gateway. */
  invoke?: (fn: FunctionDef, scheduledAt: Date) => Promise<{ status: number; error?: string }>;
}

export interface CronConnector {
  runs(): CronRun[];
  skipped(): Record<string, number>;
  stop(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function startCronConnector(opts: CronConnectorOptions): CronConnector {
  const log = opts.log.child({ component: 'cron-connector' });
  const history: CronRun[] = [];
  const skipped: Record<string, number> = {};
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let stopped = false;

  const invoke =
    opts.invoke ??
    (async (fn: FunctionDef, scheduledAt: Date) => {
      try {
        const r = await fetch(`${opts.gatewayUrl}/function/${encodeURIComponent(fn.name)}`, {
          method: 'POST',
          headers: {
            ...authHeaders(opts.credentials),
            'x-connector': 'cron-connector',
            'x-cron-schedule': fn.cron!.expression,
            'x-scheduled-time': scheduledAt.toISOString(),
          },
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(fn.timeoutMs + 5000)]),
        });
        const text = await r.text();
        return r.status >= 300 ? { status: r.status, error: text.slice(0, 300) } : { status: r.status };
      } catch (err) {
        return { status: 0, error: (err as Error).message };
      }
    });

  function schedule(fn: FunctionDef, after: Date): void {
    if (stopped) return;
    const at = nextFire(fn.cron!.schedule, after);
    if (!at) {
      log.error('schedule never fires again', { fn: fn.name, schedule: fn.cron!.expression });
      return;
    }
    const wait = at.getTime() - Date.now();
    const timer = setTimeout(() => {
      if (Date.now() < at.getTime()) {
        // Timer capped (far-future fire) or fired early: wait again for the same fire time.
        schedule(fn, new Date(at.getTime() - 60_000));
        return;
      }
      fire(fn, at);
      schedule(fn, new Date(Math.max(at.getTime(), Date.now())));
    }, Math.min(Math.max(wait, 0), MAX_TIMER_MS));
    timers.set(fn.name, timer);
  }

  function fire(fn: FunctionDef, at: Date): void {
    if (inFlight.has(fn.name)) {
      skipped[fn.name] = (skipped[fn.name] ?? 0) + 1;
      log.warn('previous run still going; tick skipped', { fn: fn.name, scheduledAt: at.toISOString() });
      return;
    }
    const started = Date.now();
    const p = invoke(fn, at)
      .then((r) => {
        const run: CronRun = { fn: fn.name, scheduledAt: at.toISOString(), status: r.status, durationMs: Date.now() - started, ...(r.error ? { error: r.error } : {}) };
        history.push(run);
        if (history.length > 1000) history.shift();
        log[r.status >= 200 && r.status < 300 ? 'info' : 'warn']('cron run', { ...run });
      })
      .finally(() => inFlight.delete(fn.name));
    inFlight.set(fn.name, p);
  }

  const cronFns = opts.functions.filter((f) => f.cron);
  for (const fn of cronFns) {
    schedule(fn, new Date());
    log.info('scheduled', { fn: fn.name, schedule: fn.cron!.expression, next: nextFire(fn.cron!.schedule, new Date())?.toISOString() });
  }

  return {
    runs: () => [...history],
    skipped: () => ({ ...skipped }),
    async stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      abort.abort();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
