import { afterEach, describe, expect, it } from 'vitest';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { createLogger, envLevel, logContext, serialiseError, withLogContext, withoutLogContext, type LogFields } from './log.ts';
import { DependencyError } from './errors.ts';

function capture(base: LogFields = {}): { lines: LogFields[]; raw: string[]; log: ReturnType<typeof createLogger> } {
  const raw: string[] = [];
  const lines: LogFields[] = [];
  const log = createLogger(base, (l) => {
    raw.push(l);
    lines.push(JSON.parse(l) as LogFields);
  });
  return { lines, raw, log };
}

const savedLevel = process.env.LOG_LEVEL;
afterEach(() => {
  if (savedLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = savedLevel;
});

describe('createLogger', () => {
  it('writes one JSON line per call with level label, ISO ts, msg, base and call fields', () => {
    delete process.env.LOG_LEVEL;
    const { lines, raw, log } = capture({ fn: 'ingest', shared: 'base' });
    log.info('stored 100% of the batch %s', { n: 3, shared: 'call' });
    expect(raw).toHaveLength(1);
    expect(raw[0]!.endsWith('}\n')).toBe(true);
    expect(raw[0]!.slice(0, -1)).not.toContain('\n');
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'stored 100% of the batch %s', fn: 'ingest', n: 3, shared: 'call' });
    expect(new Date(lines[0]!.ts as string).toISOString()).toBe(lines[0]!.ts);
    // No pid/hostname noise: only what we asked for.
    expect(Object.keys(lines[0]!).sort()).toEqual(['fn', 'level', 'msg', 'n', 'shared', 'ts']);
  });

  it('child() adds fields; the parent is unchanged', () => {
    const { lines, log } = capture({ a: 1 });
    const c = log.child({ b: 2 }).child({ c: 3 });
    c.warn('w');
    log.warn('p');
    expect(lines[0]).toMatchObject({ level: 'warn', a: 1, b: 2, c: 3, msg: 'w' });
    expect(lines[1]).not.toHaveProperty('b');
  });

  it('filters by LOG_LEVEL (read when the logger is created); unknown values mean info', () => {
    process.env.LOG_LEVEL = 'warn';
    const warn = capture();
    for (const l of ['debug', 'info', 'warn', 'error'] as const) warn.log[l](l);
    expect(warn.lines.map((l) => l.level)).toEqual(['warn', 'error']);

    process.env.LOG_LEVEL = 'DEBUG';
    const debug = capture();
    for (const l of ['debug', 'info', 'warn', 'error'] as const) debug.log[l](l);
    expect(debug.lines.map((l) => l.msg)).toEqual(['debug', 'info', 'warn', 'error']);
    expect(debug.lines.map((l) => l.level)).toEqual(['debug', 'info', 'warn', 'error']);

    expect(envLevel({ LOG_LEVEL: 'verbose' })).toBe('info');
    expect(envLevel({})).toBe('info');
    expect(envLevel({ LOG_LEVEL: 'error' })).toBe('error');
  });

  it('writes errors with stack, code, retriable and the cause chain (under err or any key)', () => {
    const { lines, log } = capture();
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { code: 'ECONNREFUSED' });
    const err = new DependencyError('mongodb', 'insert failed', { cause: root });
    log.error('batch failed', { err, other: new TypeError('bad') });
    const e = lines[0]!.err as LogFields;
    expect(e).toMatchObject({ name: 'DependencyError', message: 'mongodb: insert failed', code: 'dependency', retriable: true });
    expect(e.stack).toMatch(/^DependencyError: mongodb: insert failed\n\s+at /);
    expect(e.cause).toMatchObject({ name: 'Error', message: root.message, code: 'ECONNREFUSED' });
    expect((e.cause as LogFields).stack).toMatch(/\n\s+at /);
    expect(lines[0]!.other).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect((lines[0]!.other as LogFields).stack).toMatch(/^TypeError: bad/);
  });

  it('keeps non-Error err values, bounds cause cycles and serialises AggregateError members', () => {
    const { lines, log } = capture();
    log.warn('odd throw', { err: 'a string' });
    expect(lines[0]!.err).toBe('a string');
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    let depth = 0;
    for (let cur = serialiseError(a) as LogFields | undefined; cur; cur = cur.cause as LogFields | undefined) depth++;
    expect(depth).toBeLessThanOrEqual(9);
    const agg = serialiseError(new AggregateError([new Error('x'), new Error('y')], 'both')) as LogFields;
    expect((agg.errors as LogFields[]).map((x) => x.message)).toEqual(['x', 'y']);
  });

  it('renames fields that would clash with level, ts and msg', () => {
    const { lines, raw, log } = capture();
    log.info('real', { level: 'fake', ts: 1, msg: 'fake' });
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'real', _level: 'fake', _ts: 1, _msg: 'fake' });
    expect(raw[0]!.match(/"level":/g)).toHaveLength(1);
  });
});

describe('withLogContext', () => {
  it('adds its fields to every line inside it, across awaits; nested contexts add to the outer one', async () => {
    const { lines, log } = capture({ fn: 'f' });
    log.info('before');
    await withLogContext({ callId: 'call-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      log.info('inside');
      await withLogContext({ topic: 'orders', partition: 2 }, async () => {
        await Promise.resolve();
        log.child({ step: 'x' }).info('nested', { n: 1 });
        expect(logContext()).toEqual({ callId: 'call-1', topic: 'orders', partition: 2 });
      });
      log.info('after nested');
    });
    log.info('after');
    expect(lines.map((l) => [l.msg, l.callId, l.topic])).toEqual([
      ['before', undefined, undefined],
      ['inside', 'call-1', undefined],
      ['nested', 'call-1', 'orders'],
      ['after nested', 'call-1', undefined],
      ['after', undefined, undefined],
    ]);
    expect(lines[2]).toMatchObject({ fn: 'f', step: 'x', n: 1, partition: 2 });
    expect(logContext()).toEqual({});
  });

  it('withoutLogContext: work started from a call (a lazily opened client) does not keep its fields', async () => {
    const { lines, log } = capture();
    // Like a handler opening its clients on the first call: the client's timers (heartbeats,
    // reconnects) are created while opening and fire later.
    const fired: Promise<void>[] = [];
    const openClient = async (name: string): Promise<void> =>
      void fired.push(
        new Promise((r) =>
          setTimeout(() => {
            log.warn(`${name} heartbeat`);
            r();
          }, 1),
        ),
      );
    await withLogContext({ callId: 'first' }, async () => {
      await openClient('plain');
      await withoutLogContext(() => openClient('detached'));
      log.info('handled');
    });
    await Promise.all(fired);
    expect(lines.map((l) => [l.msg, l.callId]).sort()).toEqual([
      ['detached heartbeat', undefined],
      ['handled', 'first'],
      ['plain heartbeat', 'first'],
    ]);
  });

  it('keeps concurrent contexts apart', async () => {
    const { lines, log } = capture();
    await Promise.all(
      ['a', 'b', 'c'].map((id, i) =>
        withLogContext({ callId: id }, async () => {
          await new Promise((r) => setTimeout(r, 3 - i));
          log.info(`call ${id}`);
        }),
      ),
    );
    for (const l of lines) expect(l.msg).toBe(`call ${l.callId as string}`);
    expect(lines).toHaveLength(3);
  });

  it('uses one store per process, so a second copy of this module sees the same context', () => {
    const { lines, log } = capture();
    const store = (globalThis as Record<symbol, unknown>)[Symbol.for('orderpulse.log.context')] as AsyncLocalStorage<LogFields>;
    store.run({ callId: 'from-another-copy' }, () => log.info('x'));
    expect(lines[0]).toMatchObject({ callId: 'from-another-copy' });
  });

  it('lets base and call fields win over context fields on a clash', () => {
    const { lines, log } = capture({ topic: 'base-topic' });
    withLogContext({ topic: 'ctx-topic', callId: 'c' }, () => log.info('x'));
    withLogContext({ callId: 'c' }, () => log.info('y', { callId: 'explicit' }));
    expect(lines[0]).toMatchObject({ topic: 'base-topic', callId: 'c' });
    expect(lines[1]).toMatchObject({ callId: 'explicit' });
  });
});
