/** Structured logging: one JSON object per line on stderr (stdout stays free for command output). */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function envLevel(): Level {
  const v = (process.env.LOG_LEVEL ?? 'info').toLowerCase();
  return v === 'debug' || v === 'warn' || v === 'error' ? v : 'info';
}

function serialiseError(e: unknown): unknown {
  if (e instanceof Error) {
    const out: Record<string, unknown> = { name: e.name, message: e.message };
    const code = (e as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (e.cause !== undefined) out.cause = serialiseError(e.cause);
    return out;
  }
  return e;
}

export function createLogger(base: Record<string, unknown> = {}, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = order[envLevel()];
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (order[level] < min) return;
    const rec: Record<string, unknown> = { ts: new Date().toISOString(), level, msg, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) rec[k] = k === 'err' || v instanceof Error ? serialiseError(v) : v;
    write(JSON.stringify(rec) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger({ ...base, ...f }, write),
  };
}
