/**
 * Structured logging: one JSON object per line on stderr (stdout stays free for command output),
 * written by pino with synchronous writes to fd 2 so a crash loses no line.
 *
 *   {"level":"info","ts":"2026-01-01T00:00:00.000Z","fn":"ingest","callId":"…","topic":"orders",
 *    "partition":0,"firstOffset":"10","lastOffset":"19","msg":"batch stored"}
 *
 * A line holds, later ones winning on a clash: the fields of the current log context
 * (`withLogContext`, e.g. the gateway's call id and the Kafka offsets of the delivery being
 * handled), the logger's base fields (`createLogger(base)`, `child(fields)`), then the call's fields.
 * Errors (under `err` or any field holding an Error) are written with name, message, stack,
 * code, retriable and their cause chain. LOG_LEVEL (debug, info, warn, error; default info)
 * is read when a logger is created.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

/** LOG_LEVEL, or info when it is unset or not one of debug, info, warn, error. */
export function envLevel(env: NodeJS.ProcessEnv = process.env): Level {
  const v = (env.LOG_LEVEL ?? 'info').toLowerCase();
  return (LEVELS as readonly string[]).includes(v) ? (v as Level) : 'info';
}

// ---- log context ---------------------------------------------------------------------------

/**
 * One store per process, even when this module is loaded twice (an ESM and a CommonJS copy, or
 * a handler bundling its own copy of shared/): the template sets the context, the handler's
 * loggers read it.
 */
const CONTEXT_KEY = Symbol.for('orderpulse.log.context');
const slot = globalThis as { [CONTEXT_KEY]?: AsyncLocalStorage<LogFields> };
const context = (slot[CONTEXT_KEY] ??= new AsyncLocalStorage<LogFields>());

/**
 * Run fn with fields added to every line any logger writes from inside it (across awaits,
 * timers and callbacks started inside it). Nested contexts add to the outer one.
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  const outer = context.getStore();
  return context.run(outer ? { ...outer, ...fields } : { ...fields }, fn);
}

/**
 * Run fn outside any log context. For work started by one call that outlives it: lazily opened
 * clients (their sockets, timers and event handlers would otherwise keep logging the first
 * call's id and offsets), background loops.
 */
export function withoutLogContext<T>(fn: () => T): T {
  return context.exit(fn);
}

/** The fields of the current log context (empty outside any). */
export function logContext(): LogFields {
  return { ...context.getStore() };
}

// ---- errors --------------------------------------------------------------------------------

const MAX_CAUSE_DEPTH = 8;

/**
 * An Error as a plain object: name, message, stack, code, retriable, details (OrderPulseError),
 * errors (AggregateError) and cause, recursively. Anything else is returned unchanged.
 */
export function serialiseError(e: unknown, depth = 0): unknown {
  if (!(e instanceof Error)) return e;
  if (depth >= MAX_CAUSE_DEPTH) return { name: e.name, message: e.message, truncated: 'cause chain too deep' };
  const out: LogFields = { name: e.name, message: e.message };
  const extra = e as Error & { code?: unknown; retriable?: unknown; details?: unknown; errors?: unknown };
  if (extra.code !== undefined) out.code = extra.code;
  if (typeof extra.retriable === 'boolean') out.retriable = extra.retriable;
  if (extra.details !== undefined) out.details = extra.details;
  if (e.stack !== undefined) out.stack = e.stack;
  if (Array.isArray(extra.errors)) out.errors = extra.errors.map((x) => serialiseError(x, depth + 1));
  if (e.cause !== undefined) out.cause = serialiseError(e.cause, depth + 1);
  return out;
}

// ---- logger ----------------------------------------------------------------------------------

/** Keys pino writes itself; a field with one of these names is written as `_<name>`. */
const RESERVED = new Set(['level', 'ts', 'msg']);

function merge(into: LogFields, fields: LogFields | undefined): void {
  if (!fields) return;
  for (const [k, v] of Object.entries(fields)) {
    const key = RESERVED.has(k) ? `_${k}` : k;
    into[key] = k === 'err' || v instanceof Error ? serialiseError(v) : v;
  }
}

let stderrDestination: DestinationStream | undefined;

/** One synchronous fd-2 destination shared by all loggers of the process. */
function stderr(): DestinationStream {
  if (!stderrDestination) {
    const dest = pino.destination({ fd: 2, sync: true });
    // stderr closed (the supervisor went away): there is nowhere left to report to.
    dest.on('error', () => undefined);
    stderrDestination = dest;
  }
  return stderrDestination;
}

function root(level: Level, write: ((line: string) => void) | undefined): PinoLogger<never> {
  return pino<never>(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (e: unknown) => serialiseError(e) },
    },
    write ? { write } : stderr(),
  );
}

function facade(p: PinoLogger<never>, base: LogFields): Logger {
  const emit = (level: Level, msg: string, fields?: LogFields): void => {
    if (!p.isLevelEnabled(level)) return;
    const rec: LogFields = {};
    merge(rec, context.getStore());
    merge(rec, base);
    merge(rec, fields);
    p[level](rec, msg);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => facade(p, { ...base, ...f }),
  };
}

/**
 * A logger with base fields on every line. `write` receives each line (JSON + "\n") instead of
 * stderr: tests capture lines with it, `() => undefined` silences a logger.
 */
export function createLogger(base: LogFields = {}, write?: (line: string) => void): Logger {
  return facade(root(envLevel(), write), { ...base });
}
