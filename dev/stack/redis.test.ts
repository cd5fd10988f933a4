import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { redisPing, renderRedisConf } from './redis.ts';

describe('renderRedisConf', () => {
  const conf = renderRedisConf({ port: 16379, dataDir: '/x/.local/redis/data', pidFile: '/x/.local/redis/redis.pid', logFile: '/x/.local/redis/redis.log' });
  const lines = conf.split('\n').filter((l) => l && !l.startsWith('#'));

  it('binds to loopback on the given port, in the foreground', () => {
    expect(lines).toContain('bind 127.0.0.1');
    expect(lines).toContain('port 16379');
    expect(lines).toContain('daemonize no');
  });

  it('keeps data, pid and log under .local/redis with AOF every second', () => {
    expect(lines).toContain('dir /x/.local/redis/data');
    expect(lines).toContain('pidfile /x/.local/redis/redis.pid');
    expect(lines).toContain('logfile /x/.local/redis/redis.log');
    expect(lines).toContain('appendonly yes');
    expect(lines).toContain('appendfsync everysec');
  });

  it('has one directive per key', () => {
    const keys = lines.map((l) => l.split(' ')[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('redisPing', () => {
  async function fakeServer(reply: string): Promise<{ port: number; close: () => Promise<void> }> {
    const srv = net.createServer((s) => s.once('data', () => s.end(reply)));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    return { port, close: () => new Promise((r) => srv.close(() => r())) };
  }

  it('is true only for +PONG', async () => {
    const ok = await fakeServer('+PONG\r\n');
    const bad = await fakeServer('-NOAUTH Authentication required.\r\n');
    try {
      expect(await redisPing(ok.port)).toBe(true);
      expect(await redisPing(bad.port)).toBe(false);
    } finally {
      await ok.close();
      await bad.close();
    }
  });

  it('is false when nothing listens', async () => {
    const s = await fakeServer('');
    const port = s.port;
    await s.close();
    expect(await redisPing(port, '127.0.0.1', 500)).toBe(false);
  });
});
