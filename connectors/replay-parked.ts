/**
 * Replay parked batches: read `<topic>.parked` (written by the Kafka connector when a function
 * refused a chunk permanently, parking.ts) and deliver each record again to the function named
 * in its headers, as the source record (source topic, partition, offset, key, value, headers),
 * in chunks of consecutive records of one source partition. Progress is committed in the
 * consumer group `<group-prefix>replay-parked-<function>`, so a finished replay is not
 * repeated and an interrupted one resumes. Reads up to the end offsets seen at start, then stops.
 * A record that is refused permanently again stops the replay (exit 1) at that record, nothing
 * committed past it: fix the function and run the command again.
 *
 *   npm run replay-parked -- --topic orders [--function ingest] [--stack stack.yml] [--group-prefix p]
 *
 * Without --function: every function of the stack file subscribed to the topic. The gateway is
 * GATEWAY_URL.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EachBatchPayload } from 'kafkajs';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, ROOT, type Config } from '../shared/platform/config.ts';
import { ConfigError, DependencyError, OrderPulseError } from '../shared/platform/errors.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { recordFromKafka, type KafkaRecord } from '../shared/delivery/wire.ts';
import { deliverWithRetry } from './deliver.ts';
import type { BackoffPolicy } from './backoff.ts';
import { encodeChunk, post, DEFAULT_MAX_MESSAGES } from './kafka-connector.ts';
import { fromParked, parkedTopicOf, type ParkedRecord } from './parking.ts';
import { loadStack, type FunctionDef } from './stackfile.ts';
import { authHeaders, readGatewayCredentials } from '../shared/adapters/gateway.ts';

export interface ReplayOptions {
  config: Config;
  gatewayUrl: string;
  /** The source topic: its parking topic `<topic>.parked` is read. */
  topic: string;
  functions: FunctionDef[];
  log: Logger;
  groupPrefix?: string;
  backoff?: BackoffPolicy;
  /** Give up after this many identical permanent answers (default config.kafkaParkAfter). */
  parkAfter?: number;
}

export interface ReplayResult {
  fn: string;
  /** Records delivered (2xx) by this run. */
  delivered: number;
  /** Parked records of other functions (or without our headers) passed over. */
  skipped: number;
}

/** Refused again: the replay stopped at `offset` of the parking topic. */
export class ReplayRefusedError extends OrderPulseError {
  constructor(message: string) {
    super('replay_refused', message, { retriable: false });
  }
}

export const replayGroupOf = (prefix: string, fn: string): string => `${prefix}replay-parked-${fn}`;

export async function replayParked(opts: ReplayOptions): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const f of opts.functions) results.push(await replayOne(opts, f));
  return results;
}

async function replayOne(opts: ReplayOptions, f: FunctionDef): Promise<ReplayResult> {
  const parked = parkedTopicOf(opts.topic);
  const groupId = replayGroupOf(opts.groupPrefix ?? 'orderpulse-', f.name);
  const log = opts.log.child({ component: 'replay-parked', fn: f.name, parkedTopic: parked, group: groupId });
  const kafka = createKafka(opts.config, 'orderpulse-replay-parked', log.child({ component: 'kafkajs' }));
  const result: ReplayResult = { fn: f.name, delivered: 0, skipped: 0 };

  // Where to stop (end offsets now) and where we are (the group's committed offsets).
  const admin = kafka.admin();
  const todo = new Map<number, bigint>();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(parked)) {
      log.info('nothing parked: the parking topic does not exist');
      return result;
    }
    const ends = await admin.fetchTopicOffsets(parked);
    const committed = await admin.fetchOffsets({ groupId, topics: [parked] });
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    for (const e of ends) {
      const end = BigInt(e.high);
      const at = done.get(e.partition) ?? -1n; // -1: nothing committed yet
      if ((at < 0n ? BigInt(e.low) : at) < end) todo.set(e.partition, end);
    }
  } catch (cause) {
    throw new DependencyError('kafka', `could not read ${parked}; is the broker up? (npm run stack -- status)`, { cause });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (todo.size === 0) {
    log.info('nothing to replay: every parked record was replayed already');
    return result;
  }

  const url = `${opts.gatewayUrl}/function/${encodeURIComponent(f.name)}`;
  // The gateway's basic auth (GATEWAY_PASSWORD or GATEWAY_PASSWORD_FILE; shared/adapters/gateway.ts).
  const auth = authHeaders(readGatewayCredentials(opts.config));
  // Single-mode functions take one message per invocation, as the connector sends them.
  const maxMessages = f.delivery === 'single' ? 1 : (f.batchMaxMessages ?? DEFAULT_MAX_MESSAGES);
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false, retry: { retries: 5, restartOnFailure: async () => false } });
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const passed = (partition: number, offset: string): void => {
    const end = todo.get(partition);
    if (end !== undefined && BigInt(offset) + 1n >= end) todo.delete(partition);
    if (todo.size === 0) finish();
  };
  consumer.on(consumer.events.CRASH, (e) => fail(new DependencyError('kafka', `the replay consumer crashed: ${e.payload.error.message}`, { cause: e.payload.error })));

  const eachBatch = async (p: EachBatchPayload): Promise<void> => {
    const { batch } = p;
    const end = todo.get(batch.partition);
    // Group consecutive records of this function and one source partition into chunks.
    let part: { parkedOffset: string; rec: ParkedRecord }[] = [];
    const flush = async (): Promise<boolean> => {
      if (part.length === 0) return true;
      const { topic, partition } = part[0]!.rec;
      const records: KafkaRecord[] = part.map((x) => x.rec.record);
      const { body, headers } = encodeChunk(f, topic, partition, records, 'orderpulse-replay-parked');
      const context = { topic, partition, firstOffset: records[0]!.offset, lastOffset: records[records.length - 1]!.offset, parkedOffset: part[0]!.parkedOffset, messages: records.length };
      const outcome = await deliverWithRetry(
        {
          invoke: () => post(url, body, { ...headers, ...auth }, f.timeoutMs + 5000, new AbortController().signal),
          isActive: () => p.isRunning() && !p.isStale(),
          heartbeat: () => p.heartbeat(),
          log,
          backoff: opts.backoff ?? { initialMs: 200, maxMs: 10_000 },
          parkAfter: opts.parkAfter ?? opts.config.kafkaParkAfter,
        },
        context,
      );
      if (!outcome.delivered) {
        if (outcome.reason === 'permanent') fail(new ReplayRefusedError(`${f.name} refused parked records again (status ${outcome.last.status}: ${outcome.last.excerpt.slice(0, 200)}) at ${parked} offset ${part[0]!.parkedOffset}; fix the function, then run the replay again`));
        return false;
      }
      const lastParked = part[part.length - 1]!.parkedOffset;
      result.delivered += part.length;
      log.info('replayed', context);
      part = [];
      p.resolveOffset(lastParked);
      await p.commitOffsetsIfNecessary();
      passed(batch.partition, lastParked);
      return true;
    };
    for (const m of batch.messages) {
      if (end === undefined || BigInt(m.offset) >= end) break;
      const rec = fromParked(recordFromKafka(m));
      if (!rec || rec.fn !== f.name) {
        if (!(await flush())) return;
        result.skipped++;
        p.resolveOffset(m.offset);
        passed(batch.partition, m.offset);
        continue;
      }
      const head = part[0]?.rec;
      if (head && (head.topic !== rec.topic || head.partition !== rec.partition || part.length >= maxMessages)) if (!(await flush())) return;
      part.push({ parkedOffset: m.offset, rec });
    }
    if (!(await flush())) return;
    await p.commitOffsetsIfNecessary();
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [parked], fromBeginning: true });
    await consumer.run({ autoCommit: true, autoCommitThreshold: 1, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
    await finished;
    log.info('replay done', { ...result });
    return result;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

const USAGE = 'Usage: npm run replay-parked -- --topic <topic> [--function <name>] [--stack <stack.yml>] [--group-prefix <prefix>]; the gateway is GATEWAY_URL';
const cli = commandLine({
  usage: USAGE,
  options: {
    topic: { type: 'string', value: 'the source topic whose <topic>.parked to replay' },
    function: { type: 'string', value: 'only this function (default: every function of the stack subscribed to the topic)' },
    stack: { type: 'string', value: 'the stack file (default stack.yml)' },
    'group-prefix': { type: 'string', value: 'consumer group prefix (default orderpulse-)' },
    help: { type: 'boolean', short: 'h' },
  },
});

/** The functions to replay for: --function (must exist), else every function subscribed to the topic. */
export function replayFunctions(all: FunctionDef[], topic: string, only: string | undefined, file: string): FunctionDef[] {
  if (only !== undefined) {
    const f = all.find((x) => x.name === only);
    if (!f) throw new ConfigError(`--function: no function named ${only} in ${file}`);
    return [f];
  }
  const subscribed = all.filter((x) => x.topics.includes(topic));
  if (subscribed.length === 0) throw new ConfigError(`no function of ${file} consumes ${topic}; name one with --function`);
  return subscribed;
}

async function main(): Promise<void> {
  const { values } = cli.parseOrExit(process.argv.slice(2));
  const log = createLogger({ component: 'replay-parked' });
  try {
    const topic = values.topic || cli.fail('--topic is required');
    const config = loadConfig();
    const stack = loadStack(path.resolve(values.stack ?? path.join(ROOT, 'stack.yml')));
    const functions = replayFunctions(stack.functions, topic, values.function, stack.file);
    const results = await replayParked({ config, gatewayUrl: config.gatewayUrl, topic, functions, log, ...(values['group-prefix'] ? { groupPrefix: values['group-prefix'] } : {}) });
    process.stdout.write(JSON.stringify(results) + '\n');
  } catch (err) {
    log.error('replay failed', { err });
    process.exitCode = 1;
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  await main();
  process.exit(process.exitCode ?? 0);
}
