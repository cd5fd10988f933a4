/**
 * The alert detector's state in Redis (ioredis; the only alerts module that imports it): one
 * hash `<KPI_PREFIX>alerts:detector` {ver, state}, the state JSON holding the detector AND the
 * Kafka offsets it reflects, replaced by one compare-and-set script on `ver` (atomic).
 */
import type { Redis } from 'ioredis';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { createRedisClient } from '../../kpi/adapters/redis-store.ts';
import type { PersistedState, StateStore } from '../detect.ts';

const CAS_LUA = `local cur = redis.call('HGET', KEYS[1], 'ver') or '0'
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ver', tostring(tonumber(cur) + 1), 'state', ARGV[2])
return 1`;

export class RedisAlertState implements StateStore {
  readonly key: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly url = 'redis',
  ) {
    this.key = `${prefix}alerts:detector`;
  }

  private fail(what: string, cause: unknown): DependencyError {
    return new DependencyError('redis', `alert state ${what} failed at ${this.url}; is the stack up? (npm run stack -- status, npm run stack -- up)`, { cause });
  }

  async load(): Promise<{ version: number; state: PersistedState | null }> {
    let r: (string | null)[];
    try {
      r = await this.redis.hmget(this.key, 'ver', 'state');
    } catch (cause) {
      throw this.fail('read', cause);
    }
    return { version: Number(r[0] ?? 0), state: r[1] == null ? null : (JSON.parse(r[1]) as PersistedState) };
  }

  async commit(version: number, state: PersistedState): Promise<boolean> {
    try {
      return Number(await this.redis.eval(CAS_LUA, 1, this.key, String(version), JSON.stringify(state))) === 1;
    } catch (cause) {
      throw this.fail('write', cause);
    }
  }

  /** A client of its own (the function's), under KPI_PREFIX. */
  static open(url: string, prefix: string, log?: Logger): RedisAlertState {
    return new RedisAlertState(createRedisClient(url, 'orderpulse-alert-detect', log), prefix, url);
  }

  async ping(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (cause) {
      throw this.fail('ping', cause);
    }
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
