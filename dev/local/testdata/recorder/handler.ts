/**
 * Test function for the runtime's integration tests. Appends one JSON line per invocation to
 * RECORD_FILE (what it received), and can misbehave on purpose:
 *   FAIL_FIRST_N=n  answer 503 to the first n invocations (counted across restarts in RECORD_FILE.attempts)
 *   SLOW_MS=n       wait n ms before answering
 * GET/POST /status/<code> answers that status with header x-test: 1.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { FnContext, FnEvent } from '../../../../shared/platform/fn.ts';
import { DependencyError } from '../../../../shared/platform/errors.ts';
import { decodeEvent } from '../../../../shared/delivery/decode-event.ts';

const file = process.env.RECORD_FILE ?? '/tmp/orderpulse-recorder.jsonl';
const failFirst = Number(process.env.FAIL_FIRST_N ?? 0);
const slowMs = Number(process.env.SLOW_MS ?? 0);

function attempt(): number {
  const f = `${file}.attempts`;
  appendFileSync(f, 'x');
  return existsSync(f) ? readFileSync(f, 'utf8').length : 1;
}

export default async (event: FnEvent, context: FnContext): Promise<unknown> => {
  const status = /^\/status\/(\d{3})$/.exec(event.path);
  if (status) {
    context.status(Number(status[1])).headers({ 'x-test': '1' });
    return { path: event.path, query: event.query };
  }
  const n = attempt();
  const ct = String(event.headers['content-type'] ?? '');
  const base = { pid: process.pid, attempt: n, at: Date.now() };
  if (ct.includes('kafka-batch')) {
    const b = decodeEvent(event);
    appendFileSync(
      file,
      JSON.stringify({ ...base, kind: 'batch', topic: b.topic, partition: b.partition, offsets: b.messages.map((m) => m.offset), values: b.messages.map((m) => m.value?.toString('base64') ?? null), keys: b.messages.map((m) => m.key?.toString('utf8') ?? null) }) + '\n',
    );
  } else {
    const h = event.headers;
    appendFileSync(
      file,
      JSON.stringify({
        ...base,
        kind: h['x-connector'] === 'cron-connector' ? 'cron' : h['x-topic'] ? 'single' : 'http',
        topic: h['x-topic'] ?? null,
        partition: h['x-kafka-partition'] ?? null,
        offset: h['x-kafka-offset'] ?? null,
        key: h['x-kafka-key'] ?? null,
        callId: h['x-call-id'] ?? null,
        authorization: h.authorization ?? null,
        body: Buffer.isBuffer(event.body) ? event.body.toString('base64') : event.body,
      }) + '\n',
    );
  }
  if (slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
  if (n <= failFirst) throw new DependencyError('test', `failing on purpose (attempt ${n} of ${failFirst})`);
  return { ok: true, attempt: n };
};

export function health(): unknown {
  return { status: 'ok', pid: process.pid };
}

export function shutdown(): void {
  appendFileSync(file, JSON.stringify({ kind: 'shutdown', pid: process.pid }) + '\n');
}
