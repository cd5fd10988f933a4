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
import type { ConnectorMetrics } from './metrics.ts';
import { startLagMonitor, type LagMonitor } from './lag.ts';
import { promConnectorMetrics } from './prom-metrics.ts';
import { createRegistry } from '../shared/platform/metrics.ts';
import { serveMetrics, type MetricsEndpoint } from '../shared/platform/metrics-http.ts';
import { createKafka } from '../shared/adapters/kafka.ts';
import { readGatewayCredentials } from '../shared/adapters/gateway.ts';

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
  /**
   * Replicas of each function behind the gateway (default: its com.openfaas.scale.min): the Kafka
   * connector keeps up to that many partitions of the function in flight (at least 4).
   */
  replicas?: Record<string, number>;
  /**
   * Delivery metrics (connectors/prom-metrics.ts promConnectorMetrics): passed to the Kafka
   * connector, and the consumer lag of every function's group is measured every
   * config.lagIntervalMs (connectors/lag.ts) into it. Default: no metrics.
   */
  metrics?: ConnectorMetrics;
}

export interface Connectors {
  kafka: KafkaConnector | undefined;
  cron: CronConnector | undefined;
  /** Set when metrics were given and lag is measured. */
  lag: LagMonitor | undefined;
  /** Cron first, then Kafka (no new invocations; in-flight deliveries end uncommitted and are redelivered). */
  stop(): Promise<void>;
}

export async function startConnectors(opts: ConnectorsOptions): Promise<Connectors> {
  let kafka: KafkaConnector | undefined;
  let cron: CronConnector | undefined;
  let lag: LagMonitor | undefined;
  // One source per gauge: with the lag monitor on (committed offsets against the high watermarks,
  // measured from outside, so it keeps rising while a consumer is down), the connector's own
  // per-batch lag reports are dropped.
  const monitorLag = opts.metrics !== undefined && opts.config.lagIntervalMs > 0;
  const connectorMetrics = opts.metrics && monitorLag ? { ...opts.metrics, lag: () => undefined } : opts.metrics;
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
      ...(opts.replicas ? { replicas: opts.replicas } : {}),
      ...(connectorMetrics ? { metrics: connectorMetrics } : {}),
    });
  }
  try {
    if (kafka && opts.metrics && monitorLag) {
      const prefix = (opts.kafka || undefined)?.groupPrefix ?? 'orderpulse-';
      lag = await startLagMonitor({
        kafka: createKafka(opts.config, 'orderpulse-lag-monitor', opts.log.child({ component: 'kafkajs' })),
        targets: opts.functions.filter((f) => f.topics.length > 0).map((f) => ({ fn: f.name, groupId: prefix + f.name, topics: f.topics })),
        metrics: opts.metrics,
        intervalMs: opts.config.lagIntervalMs,
        log: opts.log.child({ component: 'lag' }),
      });
    }
    if (opts.cron !== false && opts.functions.some((f) => f.cron)) {
      cron = startCronConnector({ functions: opts.functions, gatewayUrl: opts.gatewayUrl, credentials: readGatewayCredentials(opts.config), log: opts.log });
    }
  } catch (err) {
    await lag?.stop();
    await kafka?.stop();
    throw err;
  }
  return {
    kafka,
    cron,
    lag,
    async stop() {
      await cron?.stop();
      await kafka?.stop();
      await lag?.stop();
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
  let endpoint: MetricsEndpoint | undefined;
  try {
    const args = parseCliArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(USAGE + '\n');
      return;
    }
    const config = loadConfig();
    const stack = loadStack(args.stackFile);
    const functions = selectFunctions(stack.functions, args.only, stack.file);
    // Its own scrape endpoint: in compose the connectors are a process of their own, not the gateway's.
    const registry = createRegistry();
    if (config.connectorsMetricsPort > 0) endpoint = await serveMetrics({ registry, port: config.connectorsMetricsPort, host: process.env.HOST, log });
    running = await startConnectors({
      config,
      functions,
      gatewayUrl: config.gatewayUrl,
      log,
      kafka: args.kafka ? { groupPrefix: args.groupPrefix } : false,
      cron: args.cron,
      metrics: promConnectorMetrics(registry),
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
    await endpoint?.close();
    process.exitCode = 1;
    return;
  }
  stopOnSignals(async () => {
    await running.stop();
    await endpoint?.close();
  }, log);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  void main();
}
