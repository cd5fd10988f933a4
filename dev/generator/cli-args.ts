/** Command-line options of `npm run generate` (parsed and validated; pure). */
import { commandLine } from '../../shared/platform/args.ts';
import { parseStart } from './generator.ts';
import { parseIncidentSpecs, type Incident } from './incidents.ts';

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
  /** Injected incidents (dev/generator/incidents.ts), times already absolute. */
  incidents: Incident[];
  batchSize: number | undefined;
  inFlight: number;
  workers: number;
  partitions: number;
  dryRun: boolean;
  ndjson: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run generate -- [options]

Produces seeded, realistic order events (docs/contracts.md §2) to Kafka, keyed by order_id.

  --rate N            target messages per second of wall time; 0 = as fast as possible (default 100)
  --count N           stop after N messages
  --duration SECONDS  stop after this much wall time (without --count/--duration: until Ctrl-C)
  --seed S            run seed, integer >= 0 (default 1); same seed + options => same events
  --topic NAME        topic (default TOPIC_ORDERS or "orders"; created with --partitions if missing)
  --start ISO         event time of the first order (default: now)
  --event-rate R      mean orders per second of EVENT time (default: --rate, or 100 when --rate is 0)
  --flash-every MIN   mean minutes of event time between flash sales (default 60; 0 = none)
  --outage SPEC       payment outage, METHOD@START+DURATION[:RATE], minutes of event time after
                      --start, e.g. credit_card@30+10:0.4 (failure rate, default 0.4); repeatable
  --drop SPEC         demand drop, START+DURATION[:FACTOR], e.g. 90+5:0.3 (arrivals x factor;
                      default 0: orders stop); repeatable. Ground truth: "incidents" in the summary
  --dup-rate F        share of exact redeliveries of earlier orders, 0..0.5 (default 0)
  --bad-rate F        share of malformed/conflicting events, 0..0.5 (default 0)
  --batch N           messages per send (default rate/20, within 1..1000)
  --in-flight N       sends in flight (default 4)
  --workers N         Kafka producer threads (default 1; 0 = produce on the main thread)
  --partitions N      partitions when creating the topic (default 4)
  --dry-run           generate and encode only, no Kafka (measures the model's rate)
  --ndjson            write the messages to stdout as NDJSON instead of Kafka (summary on stderr)
  -h, --help          this text

Progress goes to stderr every second; a JSON summary goes to stdout at the end:
{"sent","seconds","rate","seed","first_order_id","last_order_id",...}`;

const MAX_RATE = 10_000_000;

const cli = commandLine({
  usage: USAGE,
  options: {
    rate: { type: 'number', min: 0, max: MAX_RATE },
    count: { type: 'number', min: 0, integer: true },
    duration: { type: 'number', min: 0, max: 365 * 86400 },
    seed: { type: 'number', min: 0, integer: true },
    topic: { type: 'string', value: 'a Kafka topic name' },
    start: { type: 'string', value: 'an ISO-8601 time such as 2024-06-01T12:00:00Z' },
    'event-rate': { type: 'number', min: 0.000001, max: MAX_RATE },
    'flash-every': { type: 'number', min: 0, max: 1e6 },
    outage: { type: 'list', value: 'METHOD@START+DURATION[:RATE] (minutes)' },
    drop: { type: 'list', value: 'START+DURATION[:FACTOR] (minutes)' },
    'dup-rate': { type: 'number', min: 0, max: 0.5 },
    'bad-rate': { type: 'number', min: 0, max: 0.5 },
    batch: { type: 'number', min: 1, max: 10_000, integer: true },
    'in-flight': { type: 'number', min: 1, max: 64, integer: true },
    workers: { type: 'number', min: 0, max: 16, integer: true },
    partitions: { type: 'number', min: 1, max: 1000, integer: true },
    'dry-run': { type: 'boolean' },
    ndjson: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

export function parseGenerateArgs(argv: readonly string[], nowMs: number): GenerateArgs {
  const { values: v } = cli.parse(argv);
  const rate = v.rate ?? 100;
  let startMs = nowMs;
  if (v.start !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.start)) cli.fail(`--start must be an ISO-8601 time such as 2024-06-01T12:00:00Z, got "${v.start}"`);
    try {
      startMs = parseStart(v.start);
    } catch (cause) {
      cli.fail(`--start "${v.start}" is not a valid time (e.g. 2024-06-01T12:00:00Z)`, cause);
    }
  }
  let incidents: Incident[] = [];
  try {
    incidents = parseIncidentSpecs(v.outage ?? [], v.drop ?? [], startMs);
  } catch (cause) {
    cli.fail(cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (v.topic !== undefined && !/^[a-zA-Z0-9._-]{1,249}$/.test(v.topic)) cli.fail(`--topic must be a valid Kafka topic name (letters, digits, . _ -), got "${v.topic}"`);
  return {
    rate,
    count: v.count,
    durationS: v.duration,
    seed: v.seed ?? 1,
    topic: v.topic,
    startMs,
    dupRate: v['dup-rate'] ?? 0,
    badRate: v['bad-rate'] ?? 0,
    eventRate: v['event-rate'] ?? (rate > 0 ? rate : 100),
    flashEveryMinutes: v['flash-every'],
    incidents,
    batchSize: v.batch,
    inFlight: v['in-flight'] ?? 4,
    workers: v.workers ?? 1,
    partitions: v.partitions ?? 4,
    dryRun: v['dry-run'] ?? false,
    ndjson: v.ndjson ?? false,
    help: v.help ?? false,
  };
}
