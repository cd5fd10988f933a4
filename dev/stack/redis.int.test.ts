/** The local stack's Redis answers commands and runs Lua scripts atomically (EVAL / EVALSHA). */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../shared/platform/config.ts';
import { redisPing } from './redis.ts';

const config = loadConfig();
const prefix = `stack-int:${randomBytes(4).toString('hex')}:`;
let redis: Redis;

// Apply a delta once per id: the pattern exactly-once KPIs need (idempotency set + counter in one step).
const APPLY_ONCE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  return redis.call('INCRBY', KEYS[2], ARGV[2])
end
return tonumber(redis.call('GET', KEYS[2]) or '0')
`;

describe('Redis (local stack)', () => {
  beforeAll(() => {
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5_000, lazyConnect: false });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers a raw RESP PING with PONG (the stack health check)', async () => {
    expect(await redisPing(config.redisPort)).toBe(true);
  });

  it('runs a Lua script atomically with EVAL and EVALSHA', async () => {
    const seen = `${prefix}seen`;
    const total = `${prefix}total`;
    expect(await redis.eval(APPLY_ONCE, 2, seen, total, 'ev-1', '5')).toBe(5);
    expect(await redis.eval(APPLY_ONCE, 2, seen, total, 'ev-1', '5')).toBe(5);
    expect(await redis.eval(APPLY_ONCE, 2, seen, total, 'ev-2', '7')).toBe(12);
    const sha = String(await redis.script('LOAD', APPLY_ONCE));
    expect(await redis.evalsha(sha, 2, seen, total, 'ev-3', '1')).toBe(13);
    expect(await redis.get(total)).toBe('13');
  });

  it('persists with AOF (appendonly yes) as configured by the stack', async () => {
    const r = (await redis.config('GET', 'appendonly')) as string[];
    expect(r).toEqual(['appendonly', 'yes']);
  });
});
