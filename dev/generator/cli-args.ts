/** Command-line options of `npm run generate` (parsed and validated; pure). */
import { ValidationError } from '../../shared/platform/errors.ts';
import { parseStart } from './generator.ts';

export interface GenerateArgs {
  rate: number;
  count: number | undefined;
  durationS: number | undefined;
  seed: number;
  topic: string | undefined;
  startMs: number;
  dupRate: number;
  badRate: number;
  eventRate: number;
  flashEveryMinutes: number | undefined;
  batchSize: number | undefined;
  inFlight: number;
  workers: number;
  partitions: number;
  dryRun: boolean;
  ndjson: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run generate -- [options]

Produces seeded, realistic order events (DESIGN.md section 2) to Kafka, keyed by order_id.

  --rate N            target messages per second of wall time; 0 = as fast as possible (default 100)
  --count N           stop after N messages
  --duration SECONDS  stop after this much wall time (without --count/--duration: until Ctrl-C)
  --seed S            run seed, integer >= 0 (default 1); same seed + options => same events
  --topic NAME        topic (default TOPIC_ORDERS or "orders"; created with --partitions if missing)
  --start ISO         event time of the first order (default: now)
  --event-rate R      mean orders per second of EVENT time (default: --rate, or 100 when --rate is 0)
  --flash-every MIN   mean minutes of event time between flash sales (default 60; 0 = none)
  --dup-rate F        share of exact redeliveries of earlier orders, 0..0.5 (default 0)
  --bad-rate F        share of malformed/conflicting events, 0..0.5 (default 0)
  --batch N           messages per send (default rate/20, within 1..1000)
  --in-flight N       sends in flight (default 4)
  --workers N         Kafka producer threads (default 1; 0 = produce on the main thread)
  --partitions N      partitions when creating the topic (default 4)
  --dry-run           generate and encode only, no Kafka (measures the model's rate)
  --ndjson            write the messages to stdout as NDJSON instead of Kafka (summary on stderr)
  --help              this text

Progress goes to stderr every second; a JSON summary goes to stdout at the end:
{"sent","seconds","rate","seed","first_order_id","last_order_id",...}`;

type Spec = { kind: 'num' | 'int' | 'str' | 'flag' };
const SPECS: Record<string, Spec> = {
  rate: { kind: 'num' },
  count: { kind: 'int' },
  duration: { kind: 'num' },
  seed: { kind: 'int' },
  topic: { kind: 'str' },
  start: { kind: 'str' },
  'event-rate': { kind: 'num' },
  'flash-every': { kind: 'num' },
  'dup-rate': { kind: 'num' },
  'bad-rate': { kind: 'num' },
  batch: { kind: 'int' },
  'in-flight': { kind: 'int' },
  workers: { kind: 'int' },
  partitions: { kind: 'int' },
  'dry-run': { kind: 'flag' },
  ndjson: { kind: 'flag' },
  help: { kind: 'flag' },
};

function usageError(msg: string): never {
  throw new ValidationError('usage', `${msg}\n\n${USAGE}`);
}

export function parseGenerateArgs(argv: readonly string[], nowMs: number): GenerateArgs {
  const raw = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) usageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const spec = SPECS[name];
    if (!spec) usageError(`unknown option --${name}`);
    if (spec.kind === 'flag') {
      if (eq >= 0) usageError(`--${name} takes no value`);
      raw.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) usageError(`--${name} needs a value`);
    raw.set(name, value);
  }
  const num = (name: string, min: number, max: number, integer = false): number | undefined => {
    const v = raw.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v === '' || typeof v !== 'string' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) usageError(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got "${String(v)}"`);
    return n;
  };
  const rate = num('rate', 0, 10_000_000) ?? 100;
  const startRaw = raw.get('start');
  let startMs = nowMs;
  if (typeof startRaw === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(startRaw)) usageError(`--start must be an ISO-8601 time such as 2024-06-01T12:00:00Z, got "${startRaw}"`);
    try {
      startMs = parseStart(startRaw);
    } catch {
      usageError(`--start "${startRaw}" is not a valid time`);
    }
  }
  const topic = raw.get('topic');
  if (topic !== undefined && (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic))) usageError(`--topic must be a valid Kafka topic name, got "${String(topic)}"`);
  return {
    rate,
    count: num('count', 0, Number.MAX_SAFE_INTEGER, true),
    durationS: num('duration', 0, 365 * 86400),
    seed: num('seed', 0, Number.MAX_SAFE_INTEGER, true) ?? 1,
    topic: topic as string | undefined,
    startMs,
    dupRate: num('dup-rate', 0, 0.5) ?? 0,
    badRate: num('bad-rate', 0, 0.5) ?? 0,
    eventRate: num('event-rate', 0.000001, 10_000_000) ?? (rate > 0 ? rate : 100),
    flashEveryMinutes: num('flash-every', 0, 1e6),
    batchSize: num('batch', 1, 10_000, true),
    inFlight: num('in-flight', 1, 64, true) ?? 4,
    workers: num('workers', 0, 16, true) ?? 1,
    partitions: num('partitions', 1, 1000, true) ?? 4,
    dryRun: raw.has('dry-run'),
    ndjson: raw.has('ndjson'),
    help: raw.has('help'),
  };
}
