/**
 * ioredis adapter of the alert store and the webhook outbox (issue 11, docs/alert-delivery.md
 * "Redis keys"). Every key starts with `<KPI_PREFIX>alerts:`. A batch of changes is applied by one
 * Lua script: dedupe, per-alert ordering, open/recent, retention, the outbox and the change notice
 * (PUBLISH `<KPI_PREFIX>alerts:changed`) happen together or not at all, so a redelivered batch or a
 * crash between two steps never counts, shows or sends a change twice.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { createRedisClient } from '../../kpi/adapters/redis-store.ts';
import type { Alert } from '../alert.ts';
import {
  RECENT_RETENTION_MS,
  SEEN_MAX,
  SEEN_RETENTION_MS,
  sortOpen,
  sortRecent,
  type AlertSnapshot,
  type AlertStore,
  type AlertStoreOptions,
  type ApplyOutcome,
  type Outbox,
  type OutboxItem,
  type PreparedChange,
} from '../store.ts';

/** Entries kept in the dead list (changes the webhook gave up on). */
export const DEAD_MAX = 100;

const APPLY_LUA = `
local now, recentMax, retention = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local seenTtl, seenMax, webhook, channel = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1', ARGV[7]
local out, applied = {}, 0
for i = 8, #ARGV, 7 do
  local key, id, rank, open, alert, detected, change = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5], ARGV[i+6]
  if redis.call('ZSCORE', KEYS[1], key) then
    out[#out+1] = 'duplicate'
  else
    redis.call('ZADD', KEYS[1], now, key)
    local cur = redis.call('HGET', KEYS[2], id)
    if cur and cur >= rank then
      out[#out+1] = 'stale'
    else
      redis.call('HSET', KEYS[2], id, rank)
      redis.call('HSET', KEYS[3], id, alert)
      redis.call('ZADD', KEYS[5], detected, id)
      if open == '1' then redis.call('HSET', KEYS[4], id, alert) else redis.call('HDEL', KEYS[4], id) end
      if webhook then
        redis.call('ZADD', KEYS[6], now, key)
        redis.call('HSET', KEYS[7], key, change)
      end
      applied = applied + 1
      out[#out+1] = 'applied'
    end
  end
end
if applied > 0 then
  local drop = {}
  local newest = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
  if newest[2] then
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. string.format('%.0f', tonumber(newest[2]) - retention))) do drop[#drop+1] = id end
  end
  local n = redis.call('ZCARD', KEYS[5])
  if n > recentMax then
    for _, id in ipairs(redis.call('ZRANGE', KEYS[5], 0, n - recentMax - 1)) do drop[#drop+1] = id end
  end
  for _, id in ipairs(drop) do
    if redis.call('HEXISTS', KEYS[4], id) == 0 then
      redis.call('ZREM', KEYS[5], id)
      redis.call('HDEL', KEYS[3], id)
      redis.call('HDEL', KEYS[2], id)
    end
  end
  local v = redis.call('INCRBY', KEYS[8], applied)
  redis.call('PUBLISH', channel, v)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now - seenTtl))
local s = redis.call('ZCARD', KEYS[1])
if s > seenMax then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, s - seenMax - 1) end
return out`;

const SNAPSHOT_LUA = `
local ids = redis.call('ZREVRANGE', KEYS[3], 0, -1)
local recent = {}
if #ids > 0 then recent = redis.call('HMGET', KEYS[4], unpack(ids)) end
return {redis.call('GET', KEYS[1]) or '0', redis.call('HVALS', KEYS[2]), recent}`;

const CLAIM_LUA = `
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, k in ipairs(ids) do
  local body = redis.call('HGET', KEYS[2], k)
  if body then
    redis.call('ZADD', KEYS[1], now + lease, k)
    out[#out+1] = k
    out[#out+1] = tostring(redis.call('HINCRBY', KEYS[3], k, 1))
    out[#out+1] = body
  else
    redis.call('ZREM', KEYS[1], k)
    redis.call('HDEL', KEYS[3], k)
  end
end
return {redis.call('ZCARD', KEYS[1]), out}`;

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

/** The Redis keys (docs/alert-delivery.md lists them). */
export function alertKeys(kpiPrefix: string): Record<'seen' | 'ranks' | 'all' | 'open' | 'recent' | 'outbox' | 'items' | 'version' | 'attempts' | 'stats' | 'dead' | 'channel', string> {
  const p = `${kpiPrefix}alerts:`;
  return {
    seen: p + 'seen',
    ranks: p + 'rank',
    all: p + 'all',
    open: p + 'open',
    recent: p + 'recent',
    outbox: p + 'webhook:outbox',
    items: p + 'webhook:items',
    version: p + 'version',
    attempts: p + 'webhook:attempts',
    stats: p + 'webhook:stats',
    dead: p + 'webhook:dead',
    channel: p + 'changed',
  };
}

export interface WebhookStats {
  delivered: number;
  gave_up: number;
  /** Items waiting (due or backing off). */
  pending: number;
}

export class RedisAlertStore implements AlertStore, Outbox {
  readonly keys: ReturnType<typeof alertKeys>;

  private constructor(
    private readonly redis: Redis,
    private readonly url: string,
    kpiPrefix: string,
  ) {
    this.keys = alertKeys(kpiPrefix);
  }

  static open(url: string, kpiPrefix: string, name: string, log?: Logger): RedisAlertStore {
    return new RedisAlertStore(createRedisClient(url, name, log), url, kpiPrefix);
  }

  private fail(what: string, cause: unknown): DependencyError {
    return new DependencyError('redis', `${what} failed at ${this.url}; is Redis up? (npm run stack -- status; start it with npm run stack -- up --all)`, { cause });
  }

  private async script(lua: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      try {
        return await this.redis.evalsha(sha1(lua), keys.length, ...keys, ...args);
      } catch (e) {
        if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
        return await this.redis.eval(lua, keys.length, ...keys, ...args);
      }
    } catch (cause) {
      throw this.fail('an alert store script', cause);
    }
  }

  async apply(changes: readonly PreparedChange[], opts: AlertStoreOptions): Promise<ApplyOutcome[]> {
    if (changes.length === 0) return [];
    const k = this.keys;
    const args: (string | number)[] = [opts.now, opts.recentMax, RECENT_RETENTION_MS, SEEN_RETENTION_MS, SEEN_MAX, opts.webhook ? '1' : '0', k.channel];
    for (const c of changes) args.push(c.key, c.change.alert.id, c.rank, c.open ? '1' : '0', JSON.stringify(c.change.alert), Date.parse(c.change.alert.detected_at), c.json);
    return (await this.script(APPLY_LUA, [k.seen, k.ranks, k.all, k.open, k.recent, k.outbox, k.items, k.version], args)) as ApplyOutcome[];
  }

  async snapshot(): Promise<AlertSnapshot> {
    const k = this.keys;
    const [v, open, recent] = (await this.script(SNAPSHOT_LUA, [k.version, k.open, k.recent, k.all], [])) as [string, string[], (string | null)[]];
    const parse = (list: (string | null)[]): Alert[] => list.filter((s): s is string => s !== null).map((s) => JSON.parse(s) as Alert);
    return { version: Number(v), open: sortOpen(parse(open)), recent: sortRecent(parse(recent)) };
  }

  async version(): Promise<number> {
    try {
      return Number((await this.redis.get(this.keys.version)) ?? 0);
    } catch (cause) {
      throw this.fail('reading the alerts version', cause);
    }
  }

  /**
   * Calls back on every change notice, on a dedicated connection (the dashboard), and after each
   * (re)connect, since notices may have been missed. Resolves to the unsubscribe function.
   */
  async subscribeChanges(onChange: () => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate({ connectionName: 'orderpulse-alerts-sub' });
    sub.on('error', () => undefined); // the main connection logs connection errors
    sub.on('message', (channel: string) => {
      if (channel === this.keys.channel) onChange();
    });
    sub.on('ready', () => onChange());
    try {
      await sub.subscribe(this.keys.channel);
    } catch (cause) {
      sub.disconnect();
      throw this.fail(`SUBSCRIBE ${this.keys.channel}`, cause);
    }
    return async () => {
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  async claim(max: number, now: number, leaseMs: number): Promise<{ items: OutboxItem[]; depth: number }> {
    const k = this.keys;
    const [depth, flat] = (await this.script(CLAIM_LUA, [k.outbox, k.items, k.attempts], [now, leaseMs, max])) as [number, string[]];
    const items: OutboxItem[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) items.push({ key: flat[i] as string, attempt: Number(flat[i + 1]), body: flat[i + 2] as string });
    return { items, depth: Number(depth) };
  }

  private async exec(what: string, build: (m: ReturnType<Redis['multi']>) => void): Promise<void> {
    const m = this.redis.multi();
    build(m);
    try {
      const res = await m.exec();
      const err = res?.find(([e]) => e !== null)?.[0];
      if (err) throw err;
    } catch (cause) {
      throw this.fail(what, cause);
    }
  }

  done(key: string): Promise<void> {
    const k = this.keys;
    return this.exec('recording a webhook delivery', (m) => m.zrem(k.outbox, key).hdel(k.items, key).hdel(k.attempts, key).hincrby(k.stats, 'delivered', 1));
  }

  retryAt(key: string, dueAt: number): Promise<void> {
    return this.exec('rescheduling a webhook delivery', (m) => m.zadd(this.keys.outbox, 'XX', dueAt, key));
  }

  giveUp(key: string, item: OutboxItem, reason: string, now: number): Promise<void> {
    const k = this.keys;
    const dead = JSON.stringify({ delivery: key, attempts: item.attempt, reason, at: new Date(now).toISOString(), change: JSON.parse(item.body) as unknown });
    return this.exec('recording a webhook give-up', (m) =>
      m.zrem(k.outbox, key).hdel(k.items, key).hdel(k.attempts, key).lpush(k.dead, dead).ltrim(k.dead, 0, DEAD_MAX - 1).hincrby(k.stats, 'gave_up', 1),
    );
  }

  async webhookStats(): Promise<WebhookStats> {
    const k = this.keys;
    try {
      const [stats, pending] = await Promise.all([this.redis.hgetall(k.stats), this.redis.zcard(k.outbox)]);
      return { delivered: Number(stats.delivered ?? 0), gave_up: Number(stats.gave_up ?? 0), pending };
    } catch (cause) {
      throw this.fail('reading the webhook counts', cause);
    }
  }

  /** The changes the webhook gave up on, newest first (at most DEAD_MAX). */
  async deadLetters(): Promise<unknown[]> {
    try {
      return (await this.redis.lrange(this.keys.dead, 0, -1)).map((s) => JSON.parse(s) as unknown);
    } catch (cause) {
      throw this.fail('reading the webhook dead list', cause);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (cause) {
      throw this.fail('PING', cause);
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
