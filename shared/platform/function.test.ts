import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DependencyError, NotFoundError, ValidationError } from './errors.ts';
import type { FnContext, FnEvent } from './fn.ts';
import { answerNow, defineFunction, type FunctionSpec } from './function.ts';
import { createLogger } from './log.ts';

function event(body: unknown = {}, method = 'POST'): FnEvent {
  return { body, rawBody: Buffer.alloc(0), headers: {}, method, query: {}, path: '/' };
}

function context(): FnContext & { code: number | undefined } {
  const ctx = {
    code: undefined as number | undefined,
    status(c: number) {
      ctx.code = c;
      return ctx;
    },
    headers: () => ctx,
    succeed: () => ctx,
    fail: () => ctx,
  };
  return ctx;
}

interface Clients {
  id: number;
}

function harness(overrides: Partial<FunctionSpec<Clients, unknown>> = {}) {
  const lines: Record<string, unknown>[] = [];
  const calls = { open: 0, close: 0 };
  const spec: FunctionSpec<Clients, unknown> = {
    name: 'demo',
    open: async () => ({ id: ++calls.open }),
    parse: (e) => e.body,
    handle: async (req, _ctx, c) => ({ req, client: c.id }),
    close: async () => void calls.close++,
    ...overrides,
  };
  const fn = defineFunction(spec, { config: () => loadConfig({}), log: createLogger({ fn: 'demo' }, (l) => void lines.push(JSON.parse(l) as Record<string, unknown>)) });
  return { fn, lines, calls };
}

describe('defineFunction', () => {
  it('opens the clients once, also for concurrent first calls, and passes the parsed request', async () => {
    const h = harness();
    const ctx = context();
    const out = await Promise.all([h.fn.handler(event({ a: 1 }), ctx), h.fn.handler(event({ a: 2 }), ctx), h.fn.handler(event({ a: 3 }), ctx)]);
    expect(out).toEqual([
      { req: { a: 1 }, client: 1 },
      { req: { a: 2 }, client: 1 },
      { req: { a: 3 }, client: 1 },
    ]);
    expect(h.calls.open).toBe(1);
    expect(ctx.code).toBeUndefined();
  });

  it('a failed open answers 503 and the next call opens again', async () => {
    let fail = true;
    const h = harness({
      open: async () => {
        if (fail) throw new DependencyError('mongodb', 'cannot connect; is the stack up?');
        return { id: 7 };
      },
    });
    const ctx = context();
    expect(await h.fn.handler(event(), ctx)).toEqual({ error: 'mongodb: cannot connect; is the stack up?', code: 'dependency', retriable: true });
    expect(ctx.code).toBe(503);
    fail = false;
    const ok = context();
    expect(await h.fn.handler(event('x'), ok)).toEqual({ req: 'x', client: 7 });
    expect(ok.code).toBeUndefined();
  });

  it('after FUNCTION_REOPEN_AFTER retriable 5xx answers in a row it closes its clients and the next call opens new ones', async () => {
    let broken = true;
    const calls = { open: 0, close: 0 };
    const fn = defineFunction(
      {
        name: 'demo',
        open: async () => ({ id: ++calls.open }),
        parse: (e) => e.body,
        handle: async (req, _ctx, c: Clients) => {
          if (req === 'bad') throw new ValidationError('invalid_request', 'bad');
          if (broken && c.id === 1) throw new DependencyError('mongodb', 'connection 9 closed');
          return { client: c.id };
        },
        close: async () => void calls.close++,
      },
      { config: () => loadConfig({ FUNCTION_REOPEN_AFTER: '3' }), log: createLogger({ fn: 'demo' }, () => undefined) },
    );
    for (let i = 0; i < 2; i++) expect(await fn.handler(event(), context())).toMatchObject({ code: 'dependency', retriable: true });
    expect(await fn.handler(event('bad'), context())).toMatchObject({ code: 'invalid_request' }); // a 4xx neither counts nor resets
    expect(calls.close).toBe(0);
    expect(await fn.handler(event(), context())).toMatchObject({ code: 'dependency' }); // the third in a row
    await new Promise((r) => setImmediate(r));
    expect(calls.close).toBe(1);
    broken = false;
    expect(await fn.handler(event(), context())).toEqual({ client: 2 });
    expect(calls.open).toBe(2);
  });

  it('FUNCTION_REOPEN_AFTER=0 never reopens; a success resets the count', async () => {
    let fail = 0;
    const calls = { open: 0, close: 0 };
    const spec = {
      name: 'demo',
      open: async () => ({ id: ++calls.open }),
      parse: (e: FnEvent) => e.body,
      handle: async () => {
        if (fail-- > 0) throw new DependencyError('redis', 'down');
        return 'ok';
      },
      close: async () => void calls.close++,
    };
    const never = defineFunction(spec, { config: () => loadConfig({ FUNCTION_REOPEN_AFTER: '0' }), log: createLogger({ fn: 'demo' }, () => undefined) });
    fail = 10;
    for (let i = 0; i < 10; i++) await never.handler(event(), context());
    const resets = defineFunction(spec, { config: () => loadConfig({ FUNCTION_REOPEN_AFTER: '2' }), log: createLogger({ fn: 'demo' }, () => undefined) });
    for (let i = 0; i < 3; i++) {
      fail = 1; // one failure, then a success: never two in a row
      await resets.handler(event(), context());
      await resets.handler(event(), context());
    }
    await new Promise((r) => setImmediate(r));
    expect(calls.close).toBe(0);
    expect(calls.open).toBe(2);
  });

  it('maps errors through one function and logs each once: warn for 4xx, error for 5xx', async () => {
    const h = harness({
      parse: (e) => {
        if (e.body === 'bad') throw new ValidationError('invalid_request', 'orders must be an integer');
        return e.body;
      },
      handle: async (req) => {
        if (req === 'missing') throw new NotFoundError('no reading yet');
        if (req === 'down') throw new DependencyError('redis', 'timed out');
        throw new Error('boom');
      },
    });
    const cases = [
      ['bad', 400, { error: 'orders must be an integer', code: 'invalid_request', retriable: false }, 'warn'],
      ['missing', 404, { error: 'no reading yet', code: 'not_found', retriable: false }, 'warn'],
      ['down', 503, { error: 'redis: timed out', code: 'dependency', retriable: true }, 'error'],
      ['other', 500, { error: 'boom', code: 'internal', retriable: true }, 'error'],
    ] as const;
    for (const [body, status, answer, level] of cases) {
      const ctx = context();
      const before = h.lines.length;
      expect(await h.fn.handler(event(body), ctx)).toEqual(answer);
      expect(ctx.code).toBe(status);
      const logged = h.lines.slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level, msg: 'demo failed', fn: 'demo', status });
      // a parse error answers before anything is opened
      if (body === 'bad') expect(h.calls.open).toBe(0);
    }
    expect(h.calls.open).toBe(1);
  });

  it('parse may answer at once without opening anything', async () => {
    const h = harness({ parse: (e) => (e.body === 'empty' ? answerNow({ received: 0 }) : e.body) });
    const ctx = context();
    expect(await h.fn.handler(event('empty'), ctx)).toEqual({ received: 0 });
    expect(ctx.code).toBeUndefined();
    expect(h.calls.open).toBe(0);
    expect(await h.fn.handler(event('x'), ctx)).toEqual({ req: 'x', client: 1 });
  });

  it('health: default without opening; health(clients) opens them only when it asks, once', async () => {
    const plain = harness();
    expect(await plain.fn.health()).toEqual({ status: 'ok' });
    expect(plain.calls.open).toBe(0);
    const local = harness({ health: () => ({ status: 'ok', local: true }) });
    expect(await local.fn.health()).toEqual({ status: 'ok', local: true });
    expect(local.calls.open).toBe(0);
    const h = harness({ health: async (clients) => ({ status: 'ok', client: (await clients()).id }) });
    expect(await h.fn.health()).toEqual({ status: 'ok', client: 1 });
    await h.fn.handler(event(), context());
    expect(h.calls.open).toBe(1);
  });

  it('shutdown closes once, waits for a pending open, never opens, and later calls answer 503', async () => {
    const never = harness();
    await never.fn.shutdown();
    expect(never.calls).toEqual({ open: 0, close: 0 });

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let opened = 0;
    const h = harness({
      open: async () => {
        opened++;
        await gate;
        return { id: 1 };
      },
    });
    const first = h.fn.handler(event(), context());
    const closed = h.fn.shutdown();
    release();
    await first;
    await closed;
    await h.fn.shutdown();
    expect({ opened, closed: h.calls.close }).toEqual({ opened: 1, closed: 1 });
    const ctx = context();
    expect(await h.fn.handler(event(), ctx)).toMatchObject({ code: 'dependency', retriable: true });
    expect(ctx.code).toBe(503);
    expect(opened).toBe(1);
  });

  it('a failing close is logged, not thrown', async () => {
    const h = harness({
      close: async () => {
        throw new Error('socket already closed');
      },
    });
    await h.fn.handler(event(), context());
    await expect(h.fn.shutdown()).resolves.toBeUndefined();
    expect(h.lines.some((l) => l.level === 'error' && l.msg === 'close failed')).toBe(true);
  });
});
