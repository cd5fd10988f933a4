/**
 * ioredis adapter of the KPI store (the only KPI module that imports ioredis).
 * Scripts run by EVALSHA with a fallback to EVAL on NOSCRIPT (after a Redis restart or
 * SCRIPT FLUSH). A batch is applied in chunks so that one script never blocks Redis long.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DependencyError } from '../../platform/errors.ts';
import { createLogger, type Logger } from '../../platform/log.ts';
import { ARGV_FIELDS, encodeContributions } from '../contribution.ts';
import { APPLY_LUA, RESET_IF_MARKS_DROPPED_LUA, SNAPSHOT_LUA, WRITE_VIEWS_LUA } from './scripts.ts';
import { parseSnapshot } from '../snapshot.ts';
import type { ApplyResult, KpiStore, RebuildStatus } from '../store.ts';
import { VIEW_NAMES, type Contribution, type RawSnapshot, type ViewName, type Views } from '../types.ts';

/** The default of config.kpiPrefix (KPI_PREFIX). */
export const DEFAULT_KPI_PREFIX = 'op:kpi:';
/** Orders per apply script call: ~20 Redis calls each, so a chunk blocks Redis for ~1-3 ms. */
export const APPLY_CHUNK = 250;

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const SET_EPOCH_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 else return 0 end`;
/** Count each source offset once: SADD to the seen set, INCRBY the counter by the new ones (atomic). */
const COUNT_INVALID_LUA = `local n = 0
for i = 1, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then n = n + 1 end
end
if n > 0 then redis.call('INCRBY', KEYS[2], n) end
return n`;
const ACQUIRE_LUA = `local c = redis.call('GET', KEYS[1])
if c == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if c then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

export function createRedisClient(url: string, name: string, log: Logger = createLogger({ redis: name })): Redis {
  const r = new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    commandTimeout: 15_000,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Connection errors are retried by ioredis; log them (at most every 5 s) instead of crashing.
  let lastLog = 0;
  r.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastLog < 5_000) return;
    lastLog = now;
    log.warn('redis connection error (retrying); is the stack up? npm run stack -- status', { url, err });
  });
  return r;
}

function depError(what: string, url: string, cause: unknown): DependencyError {
  return new DependencyError('redis', `${what} failed at ${url}; is the stack up? (npm run stack -- status)`, { cause });
}

export interface KpiStoreOptions {
  /**
   * How long an order_id stays marked as counted, ms (config.kpiDedupeHorizonHours): marks live
   * in generations of this length, kept for the current and the previous one, so a redelivery
   * within one horizon of the first count is always ignored. 0 = for ever (one set of every
   * order_id). Every writer of one prefix (aggregate, kpi-rebuild, npm run kpi:rebuild) must
   * use the same value.
   */
  dedupeHorizonMs?: number;
  /** The clock of the generations (tests move it by days). */
  now?: () => number;
}

export class RedisKpiStore implements KpiStore {
  readonly prefix: string;
  readonly redis: Redis;
  private readonly url: string;
  private readonly shas = new Map<string, string>();
  private runId: string | undefined;
  private readonly horizonMs: number;
  private readonly now: () => number;

  constructor(redis: Redis, prefix: string = DEFAULT_KPI_PREFIX, url = 'redis', opts: KpiStoreOptions = {}) {
    this.redis = redis;
    this.prefix = prefix;
    this.url = url;
    this.horizonMs = Math.max(0, Math.floor(opts.dedupeHorizonMs ?? 0));
    this.now = opts.now ?? Date.now;
    // A reconnect may be to a restarted server: read its run_id again.
    redis.on('ready', () => {
      this.runId = undefined;
    });
  }

  static open(url: string, prefix: string = DEFAULT_KPI_PREFIX, name = 'orderpulse-kpi', log?: Logger, opts: KpiStoreOptions = {}): RedisKpiStore {
    return new RedisKpiStore(createRedisClient(url, name, log), prefix, url, opts);
  }

  private key(k: string): string {
    return this.prefix + k;
  }

  private async script(lua: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    let sha = this.shas.get(lua);
    if (!sha) this.shas.set(lua, (sha = sha1(lua)));
    try {
      try {
        return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (e) {
        if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
        return await this.redis.eval(lua, keys.length, ...keys, ...args);
      }
    } catch (cause) {
      throw depError('script', this.url, cause);
    }
  }

  async apply(list: readonly Contribution[]): Promise<ApplyResult> {
    // All chunks are sent at once (one pipelined write on this connection, so Redis runs them in
    // order, each atomically) instead of one round trip per chunk: the batch costs one wait.
    // An empty batch still runs once: it reads the version and the epoch marker.
    const now = this.now();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i === 0 || i < list.length; i += APPLY_CHUNK) {
      const args = encodeContributions(list.slice(i, i + APPLY_CHUNK));
      calls.push(this.script(APPLY_LUA, [], [this.prefix, ARGV_FIELDS, now, this.horizonMs, ...args]));
    }
    let applied = 0;
    let version = 0;
    let epoch: string | null = null;
    for (const r of (await Promise.all(calls)) as [number, number, string | null][]) {
      applied += Number(r[0]);
      version = Math.max(version, Number(r[1]));
      epoch = r[2] ?? null;
    }
    return { applied, version, epoch };
  }

  async resetIfMarksDropped(): Promise<boolean> {
    return Number(await this.script(RESET_IF_MARKS_DROPPED_LUA, [], [this.prefix])) === 1;
  }

  async snapshot(): Promise<RawSnapshot> {
    return parseSnapshot(await this.script(SNAPSHOT_LUA, [], [this.prefix]));
  }

  async writeViews(version: number, views: Views): Promise<boolean> {
    const args: string[] = [];
    for (const n of VIEW_NAMES) args.push(n, JSON.stringify(views[n]));
    const r = await this.script(WRITE_VIEWS_LUA, [], [this.prefix, version, ...args]);
    return Number(r) === 1;
  }

  async readView(name: ViewName): Promise<string | null> {
    try {
      return await this.redis.get(this.key('views:' + name));
    } catch (cause) {
      throw depError('GET view', this.url, cause);
    }
  }

  async readAllViews(): Promise<{ version: number | null; views: Record<ViewName, string | null> }> {
    let r: (string | null)[];
    try {
      r = await this.redis.mget(this.key('views:ver'), ...VIEW_NAMES.map((n) => this.key('views:' + n)));
    } catch (cause) {
      throw depError('MGET views', this.url, cause);
    }
    const views = {} as Record<ViewName, string | null>;
    VIEW_NAMES.forEach((n, i) => (views[n] = r[i + 1] ?? null));
    return { version: r[0] == null ? null : Number(r[0]), views };
  }

  async readViewsVersion(): Promise<number | null> {
    const v = await this.wrap('GET views version', () => this.redis.get(this.key('views:ver')));
    return v === null ? null : Number(v);
  }

  /** The channel PUBLISHed (with the new version) whenever views change. */
  get channel(): string {
    return this.key('changed');
  }

  /**
   * Subscribe to view changes on a dedicated connection (ioredis re-subscribes after a
   * reconnect; `onChange` is also called then, since messages may have been missed).
   */
  async subscribeChanges(onChange: () => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate({ connectionName: 'orderpulse-kpi-sub' });
    sub.on('error', () => undefined); // the main connection logs connection errors
    sub.on('message', (channel: string) => {
      if (channel === this.channel) onChange();
    });
    sub.on('ready', () => onChange());
    try {
      await sub.subscribe(this.channel);
    } catch (cause) {
      sub.disconnect();
      throw depError('SUBSCRIBE', this.url, cause);
    }
    return async () => {
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  async serverId(): Promise<string> {
    if (this.runId) return this.runId;
    let info: string;
    try {
      info = await this.redis.info('server');
    } catch (cause) {
      throw depError('INFO', this.url, cause);
    }
    const m = /run_id:([0-9a-f]+)/.exec(info);
    if (!m?.[1]) throw depError('INFO run_id', this.url, new Error('no run_id in INFO server'));
    return (this.runId = m[1]);
  }

  async getEpoch(): Promise<string | null> {
    return this.wrap('GET epoch', () => this.redis.get(this.key('epoch')));
  }

  async setEpochIfLeased(value: string, token: string): Promise<boolean> {
    return Number(await this.script(SET_EPOCH_LUA, [this.key('rebuild:lease'), this.key('epoch')], [token, value])) === 1;
  }

  async acquireLease(token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.script(ACQUIRE_LUA, [this.key('rebuild:lease')], [token, ttlMs])) === 1;
  }

  async renewLease(token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.script(RENEW_LUA, [this.key('rebuild:lease')], [token, ttlMs])) === 1;
  }

  async releaseLease(token: string): Promise<void> {
    await this.script(RELEASE_LUA, [this.key('rebuild:lease')], [token]);
  }

  async setRebuildStatus(s: RebuildStatus): Promise<void> {
    await this.wrap('SET rebuild status', () => this.redis.set(this.key('rebuild:status'), JSON.stringify(s)));
  }

  async getRebuildStatus(): Promise<RebuildStatus | null> {
    const v = await this.wrap('GET rebuild status', () => this.redis.get(this.key('rebuild:status')));
    return v === null ? null : (JSON.parse(v) as RebuildStatus);
  }

  async countInvalid(sources: readonly string[]): Promise<number> {
    if (sources.length === 0) return 0;
    return Number(await this.script(COUNT_INVALID_LUA, [this.key('invalid:seen'), this.key('invalid')], [...sources]));
  }

  async invalidCount(): Promise<number> {
    return Number((await this.wrap('GET invalid', () => this.redis.get(this.key('invalid')))) ?? 0);
  }

  async ping(): Promise<void> {
    await this.wrap('PING', () => this.redis.ping());
  }

  /** Delete every key under the prefix (tests). SCAN-based, never KEYS. */
  async deleteAll(): Promise<number> {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.prefix.replace(/[*?[\]\\]/g, '\\$&') + '*', 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) n += await this.redis.del(...keys);
    } while (cursor !== '0');
    return n;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async wrap<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (cause) {
      throw depError(what, this.url, cause);
    }
  }
}

/** A unique token for leases. */
export function leaseToken(who: string): string {
  return `${who}:${process.pid}:${randomUUID()}`;
}
