import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FnEvent, FnContext } from '../../shared/platform/fn.ts';
import { DependencyError, ValidationError } from '../../shared/platform/errors.ts';
import { createLogger, type LogFields } from '../../shared/platform/log.ts';
import { waitFor } from '../../dev/testing/wait-for.ts';
import { createFunctionServer, type FunctionServer, type HandlerModule } from './server.ts';
import { KAFKA_BATCH_CONTENT_TYPE } from '../../shared/delivery/wire.ts';

const quiet = createLogger({}, () => {});
let running: FunctionServer | undefined;

async function start(mod: HandlerModule, maxBodyBytes = 1024 * 1024, log = quiet): Promise<string> {
  running = createFunctionServer(mod, { maxBodyBytes, log });
  await new Promise<void>((r) => running!.server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await running?.shutdown(1000);
  running = undefined;
});

const echo: HandlerModule = {
  default: async (event: FnEvent) => ({
    kind: Buffer.isBuffer(event.body) ? 'buffer' : typeof event.body,
    body: Buffer.isBuffer(event.body) ? event.body.toString('hex') : event.body,
    raw: event.rawBody.toString('base64'),
    method: event.method,
    path: event.path,
    query: event.query,
  }),
};

describe('node24-ts template server', () => {
  it('parses JSON (including the kafka batch media type), text and bytes; rawBody is exact', async () => {
    const url = await start(echo);
    const j = await (await fetch(`${url}/a/b?x=1&x=2&y=z`, { method: 'POST', headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE }, body: '{"n":1}' })).json();
    expect(j).toMatchObject({ kind: 'object', body: { n: 1 }, method: 'POST', path: '/a/b', query: { x: '1', y: 'z' } });
    expect(Buffer.from(j.raw, 'base64').toString()).toBe('{"n":1}');
    const t = await (await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'héllo' })).json();
    expect(t).toMatchObject({ kind: 'string', body: 'héllo', method: 'PUT' });
    const b = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0xff, 0x00, 0x01]) })).json();
    expect(b).toMatchObject({ kind: 'buffer', body: 'ff0001' });
  });

  it('answers invalid JSON with 400 and a JSON error body, without calling the handler', async () => {
    let called = 0;
    const url = await start({ default: async () => void called++ });
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":' });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 'invalid_json', retriable: false });
    expect(called).toBe(0);
  });

  it('sends objects as JSON, strings as text, and honours context.status/headers', async () => {
    const url = await start({
      default: async (event: FnEvent, ctx: FnContext) => {
        if (event.path === '/text') return 'plain';
        if (event.path === '/created') {
          ctx.status(201).headers({ 'x-made': 'yes' });
          return { id: 7 };
        }
        if (event.path === '/succeed') {
          setTimeout(() => ctx.succeed([1, 2]), 5);
          return new Promise(() => {});
        }
        return undefined;
      },
    });
    const t = await fetch(`${url}/text`);
    expect(t.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await t.text()).toBe('plain');
    const c = await fetch(`${url}/created`, { method: 'POST' });
    expect(c.status).toBe(201);
    expect(c.headers.get('x-made')).toBe('yes');
    expect(c.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await c.json()).toEqual({ id: 7 });
    expect(await (await fetch(`${url}/succeed`)).json()).toEqual([1, 2]);
    const e = await fetch(`${url}/empty`);
    expect(e.status).toBe(200);
    expect(await e.text()).toBe('');
  });

  it('maps thrown errors and fail() through httpStatusOf/errorBody', async () => {
    const url = await start({
      default: async (event: FnEvent, ctx: FnContext) => {
        if (event.path === '/bad') throw new ValidationError('schema', 'no order_id');
        if (event.path === '/dep') throw new DependencyError('mongodb', 'timed out');
        if (event.path === '/fail') {
          ctx.fail(new Error('boom'));
          return 'ignored';
        }
        ctx.status(429);
        throw new Error('slow down');
      },
    });
    const bad = await fetch(`${url}/bad`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'no order_id', code: 'schema', retriable: false });
    const dep = await fetch(`${url}/dep`);
    expect(dep.status).toBe(503);
    expect(await dep.json()).toMatchObject({ code: 'dependency', retriable: true });
    const fail = await fetch(`${url}/fail`);
    expect(fail.status).toBe(500);
    expect(await fail.json()).toMatchObject({ error: 'boom', code: 'internal' });
    const explicit = await fetch(`${url}/x`);
    expect(explicit.status).toBe(429);
  });

  it('rejects bodies over the limit with 413 (declared or streamed)', async () => {
    let called = 0;
    const url = await start({ default: async () => void called++ }, 1024);
    const declared = await fetch(url, { method: 'POST', body: Buffer.alloc(4096, 1) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'payload_too_large' });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(600));
        c.close();
      },
    });
    const streamed = await fetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    const ok = await fetch(url, { method: 'POST', body: Buffer.alloc(1024, 1) });
    expect(ok.status).toBe(200);
    expect(called).toBe(1);
  });

  it('serves /_/health from the module health() when exported', async () => {
    let healthy: unknown = true;
    const url = await start({
      default: async () => 'x',
      health: async () => {
        if (healthy instanceof Error) throw healthy;
        return healthy;
      },
    });
    expect((await fetch(`${url}/_/health`)).status).toBe(200);
    healthy = false;
    expect((await fetch(`${url}/_/health`)).status).toBe(503);
    healthy = new DependencyError('redis', 'down');
    const r = await fetch(`${url}/_/health`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ status: 'unhealthy', code: 'dependency' });
    healthy = { status: 'ok', mongo: 'up' };
    expect(await (await fetch(`${url}/_/health`)).json()).toEqual({ status: 'ok', mongo: 'up' });
  });

  it('shutdown finishes in-flight requests, then calls the module shutdown()', async () => {
    const order: string[] = [];
    let started = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const url = await start({
      default: async () => {
        started = true;
        await gate;
        order.push('handled');
        return { done: true };
      },
      shutdown: async () => void order.push('shutdown'),
    });
    const pending = fetch(url, { method: 'POST' });
    await waitFor(() => started, { timeoutMs: 5000, what: 'the handler to start' });
    const s = running!.shutdown(5000);
    expect(running!.inFlight()).toBe(1);
    release();
    const r = await pending;
    expect(await r.json()).toEqual({ done: true });
    await s;
    running = undefined;
    expect(order).toEqual(['handled', 'shutdown']);
  });

  describe('log context', () => {
    function captured(): { lines: LogFields[]; log: ReturnType<typeof createLogger> } {
      const lines: LogFields[] = [];
      return { lines, log: createLogger({ fn: 'under-test' }, (l) => void lines.push(JSON.parse(l) as LogFields)) };
    }

    it("a handler's log lines carry the call id and the batch's topic, partition and offset range", async () => {
      const fn = captured();
      const url = await start({
        default: async (event: FnEvent) => {
          fn.log.info('handling', { path: event.path });
          await new Promise((r) => setTimeout(r, 1));
          fn.log.child({ step: 'store' }).info('stored');
          return 'ok';
        },
      });
      const batch = { topic: 'orders', partition: 3, messages: [{ offset: '41' }, { offset: '42' }, { offset: '43' }] };
      const r = await fetch(`${url}/b`, { method: 'POST', headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE, 'x-call-id': 'call-abc' }, body: JSON.stringify(batch) });
      expect(r.status).toBe(200);
      expect(fn.lines.map((l) => l.msg)).toEqual(['handling', 'stored']);
      for (const l of fn.lines) expect(l).toMatchObject({ fn: 'under-test', callId: 'call-abc', topic: 'orders', partition: 3, firstOffset: '41', lastOffset: '43' });
      expect(fn.lines[1]).toMatchObject({ step: 'store' });
    });

    it('a single message delivered the OpenFaaS-connector way logs X-Topic, X-Kafka-Partition and X-Kafka-Offset', async () => {
      const fn = captured();
      const url = await start({ default: async () => void fn.log.warn('odd order') });
      await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-call-id': 'c-1', 'x-topic': 'orders', 'x-kafka-partition': '1', 'x-kafka-offset': '7' }, body: '{}' });
      expect(fn.lines).toHaveLength(1);
      expect(fn.lines[0]).toMatchObject({ level: 'warn', callId: 'c-1', topic: 'orders', partition: 1, firstOffset: '7', lastOffset: '7' });
    });

    it('concurrent calls keep their own call ids; a call without X-Call-Id logs none', async () => {
      const fn = captured();
      const url = await start({
        default: async (event: FnEvent) => {
          await new Promise((r) => setTimeout(r, Number(event.query.wait)));
          fn.log.info(`done ${event.query.id}`);
        },
      });
      await Promise.all(['a', 'b', 'c'].map((id, i) => fetch(`${url}/?id=${id}&wait=${6 - 2 * i}`, { headers: { 'x-call-id': `call-${id}` } })));
      expect(fn.lines).toHaveLength(3);
      for (const l of fn.lines) expect(l.msg).toBe(`done ${(l.callId as string).slice(5)}`);
      await fetch(`${url}/?id=none&wait=0`);
      expect(fn.lines[3]).toMatchObject({ msg: 'done none' });
      expect(fn.lines[3]).not.toHaveProperty('callId');
      expect(fn.lines[3]).not.toHaveProperty('topic');
    });

    it("the server's own failure line carries the call id, the offsets and the error's stack and cause", async () => {
      const server = captured();
      const url = await start(
        {
          default: async () => {
            throw new DependencyError('mongodb', 'insert failed', { cause: new Error('socket closed') });
          },
        },
        1024 * 1024,
        server.log,
      );
      const batch = { topic: 'orders', partition: 0, messages: [{ offset: '5' }] };
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': `${KAFKA_BATCH_CONTENT_TYPE}; charset=utf-8`, 'x-call-id': 'call-err' }, body: JSON.stringify(batch) });
      expect(r.status).toBe(503);
      const line = server.lines.find((l) => l.msg === 'function failed');
      expect(line).toMatchObject({ level: 'error', status: 503, callId: 'call-err', topic: 'orders', partition: 0, firstOffset: '5', lastOffset: '5' });
      const err = line!.err as LogFields;
      expect(err).toMatchObject({ name: 'DependencyError', code: 'dependency', retriable: true, cause: { message: 'socket closed' } });
      expect(err.stack).toMatch(/^DependencyError: mongodb: insert failed\n\s+at /);
      // Invalid JSON: no delivery fields (the body could not be read), but still the call id.
      await fetch(url, { method: 'POST', headers: { 'content-type': KAFKA_BATCH_CONTENT_TYPE, 'x-call-id': 'call-bad' }, body: '{' });
      expect(server.lines.find((l) => l.msg === 'function rejected request')).toMatchObject({ level: 'warn', status: 400, callId: 'call-bad' });
    });
  });
});
