/**
 * The shipped connectors: the Kafka connector and the cron connector for the functions of
 * stack.yml, invoking the gateway at GATEWAY_URL (the OpenFaaS gateway in production).
 *
 *   node --import tsx connectors/main.ts [--stack stack.yml] [--only a,b] [--group-prefix p] [--no-kafka] [--no-cron]
 *
 * infra/docker-compose.yml runs it. dev/local/pipeline.ts starts its connectors with the same
 * startConnectors(), in front of its local gateway. Stops on SIGINT/SIGTERM.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, ROOT, type Config } from '../shared/platform/config.ts';
import { ConfigError } from '../shared/platform/errors.ts';
import { createLogger, type Logger } from '../shared/platform/log.ts';
import type { BackoffPolicy } from './backoff.ts';
import { startCronConnector, type CronConnector } from './cron-connector.ts';
import { pipelineTopics } from '../shared/setup/setup.ts';
import { stopOnSignals } from '../shared/platform/signals.ts';
import { startKafkaConnector, type KafkaConnector } from './kafka-connector.ts';
import { loadStack, type FunctionDef } from './stackfile.ts';

export interface KafkaConnectorSettings {
  /** Consumer groups `<groupPrefix><function>` (default "orderpulse-"). */
  groupPrefix?: string;
  maxMessages?: number;
  maxBytes?: number;
  topicPartitions?: Record<string, number>;
  /** Create orders/orders.dlq/orders.accepted/kpi.deltas with their partition counts (default true). */
  ensureStandardTopics?: boolean;
  backoff?: BackoffPolicy;
}

export interface ConnectorsOptions {
  config: Config;
  /** The functions to trigger: those with `topic` annotations get Kafka, those with `schedule` cron. */
  functions: FunctionDef[];
  gatewayUrl: string;
  log: Logger;
  /** false: no Kafka connector. */
  kafka?: false | KafkaConnectorSettings;
  /** false: no cron connector. */
  cron?: boolean;
}

export interface Connectors {
  kafka: KafkaConnector | undefined;
  cron: CronConnector | undefined;
  /** Cron first, then Kafka (no new invocations; in-flight deliveries end uncommitted and are redelivered). */
  stop(): Promise<void>;
}

export async function startConnectors(opts: ConnectorsOptions): Promise<Connectors> {
  let kafka: KafkaConnector | undefined;
  let cron: CronConnector | undefined;
  if (opts.kafka !== false && opts.functions.some((f) => f.topics.length > 0)) {
    const k = opts.kafka ?? {};
    kafka = await startKafkaConnector({
      config: opts.config,
      functions: opts.functions,
      gatewayUrl: opts.gatewayUrl,
      log: opts.log,
      groupPrefix: k.groupPrefix,
      maxMessages: k.maxMessages,
      maxBytes: k.maxBytes,
      topicPartitions: { ...(k.ensureStandardTopics === false ? {} : Object.fromEntries(pipelineTopics(opts.config).map((t) => [t.topic, t.partitions]))), ...(k.topicPartitions ?? {}) },
      backoff: k.backoff,
    });
  }
  try {
    if (opts.cron !== false && opts.functions.some((f) => f.cron)) {
      cron = startCronConnector({ functions: opts.functions, gatewayUrl: opts.gatewayUrl, log: opts.log });
    }
  } catch (err) {
    await kafka?.stop();
    throw err;
  }
  return {
    kafka,
    cron,
    async stop() {
      await cron?.stop();
      await kafka?.stop();
    },
  };
}

export interface CliOptions {
  stackFile: string;
  only: string[] | undefined;
  groupPrefix: string | undefined;
  kafka: boolean;
  cron: boolean;
  help: boolean;
}

export const USAGE = 'usage: connectors/main.ts [--stack <stack.yml>] [--only fn1,fn2] [--group-prefix <prefix>] [--no-kafka] [--no-cron] [--help]; the gateway is GATEWAY_URL';

export function parseCliArgs(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: 'string' },
        only: { type: 'string' },
        'group-prefix': { type: 'string' },
        'no-kafka': { type: 'boolean', default: false },
        'no-cron': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (cause) {
    throw new ConfigError(`${(cause as Error).message}; ${USAGE}`, { cause });
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  if (values.only !== undefined && only!.length === 0) throw new ConfigError(`--only needs function names; ${USAGE}`);
  return {
    stackFile: path.resolve(values.stack ?? path.join(ROOT, 'stack.yml')),
    only,
    groupPrefix: values['group-prefix'],
    kafka: !values['no-kafka'],
    cron: !values['no-cron'],
    help: values.help,
  };
}

/** The functions of the stack file to trigger (all, or the --only ones, which must exist). */
export function selectFunctions(all: FunctionDef[], only: string[] | undefined, file: string): FunctionDef[] {
  if (only === undefined) return all;
  const unknown = only.filter((n) => !all.some((f) => f.name === n));
  if (unknown.length > 0) throw new ConfigError(`--only: no function named ${unknown.join(', ')} in ${file}`);
  return all.filter((f) => only.includes(f.name));
}

async function main(): Promise<void> {
  const log = createLogger({ component: 'connectors' });
  let running: Connectors;
  try {
    const args = parseCliArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(USAGE + '\n');
      return;
    }
    const config = loadConfig();
    const stack = loadStack(args.stackFile);
    const functions = selectFunctions(stack.functions, args.only, stack.file);
    running = await startConnectors({
      config,
      functions,
      gatewayUrl: config.gatewayUrl,
      log,
      kafka: args.kafka ? { groupPrefix: args.groupPrefix } : false,
      cron: args.cron,
    });
    if (!running.kafka && !running.cron) throw new ConfigError(`nothing to connect: no selected function of ${stack.file} has a topic or schedule annotation (or both connectors are off)`);
    log.info('connectors running', {
      gateway: config.gatewayUrl,
      stack: stack.file,
      kafka: running.kafka ? functions.filter((f) => f.topics.length > 0).map((f) => f.name) : [],
      cron: running.cron ? functions.filter((f) => f.cron).map((f) => f.name) : [],
    });
  } catch (err) {
    log.error('connectors failed to start', { err });
    process.exitCode = 1;
    return;
  }
  stopOnSignals(() => running.stop(), log);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  void main();
}
