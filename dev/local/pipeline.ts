/**
 * `npm run pipeline`: the local OpenFaaS stand-in in one process — gateway (each function of
 * stack.yml as its own child process), Kafka connector, cron connector, and the dashboard
 * (child process) when dashboard/server.ts exists. Stops everything on SIGINT/SIGTERM.
 *
 * Start-up runs the idempotent set-up step first (shared/setup: MongoDB indexes and the pipeline's
 * topics), before any function or connector starts; functions never create them.
 *
 * Programmatic use (integration tests): `startPipeline({ stackFile, env, functionEnv, gatewayPort: 0, … })`
 * returns { gatewayUrl, pids(), stop(), … }.
 *
 * CLI flags: --stack <file>, --only a,b, --group-prefix <consumer group prefix>, --no-dashboard, --no-kafka, --no-cron,
 *            --connectors-only (no local gateway/functions: connectors call GATEWAY_URL, e.g. a real OpenFaaS),
 *            --replicas ingest=4,aggregate=2 (else FUNCTION_REPLICAS, else com.openfaas.scale.min).
 *
 * Replicas: each function runs replicasOf() processes (ReplicaSet), each on its own port; the
 * gateway spreads calls over the ready ones and the Kafka connector keeps up to that many
 * partitions in flight (docs/runtime.md, Replicas).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, ROOT, type Config } from '../../shared/platform/config.ts';
import { createLogger, type Logger } from '../../shared/platform/log.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import { stopOnSignals } from '../../shared/platform/signals.ts';
import { parseOrExit } from '../../shared/platform/args.ts';
import { parsePipelineArgs, PIPELINE_USAGE } from './pipeline-args.ts';
import { loadStack, type FunctionDef } from '../../connectors/stackfile.ts';
import { ManagedProcess } from './function-process.ts';
import { ReplicaSet } from './replica-set.ts';
import { startGateway, type FunctionEntry, type Gateway } from './gateway.ts';
import { fileJournal } from './async-journal.ts';
import type { KafkaConnector } from '../../connectors/kafka-connector.ts';
import type { CronConnector } from '../../connectors/cron-connector.ts';
import { startConnectors, type KafkaConnectorSettings } from '../../connectors/main.ts';
import { setUp } from '../../shared/setup/adapters/open.ts';
import type { BackoffPolicy } from '../../connectors/backoff.ts';
import { ensureGatewayCredentials, GatewayClient, readGatewayCredentials, type CredentialsSource, type GatewayCredentials } from '../../shared/adapters/gateway.ts';
import { promConnectorMetrics } from '../../connectors/prom-metrics.ts';
import type { LagMonitor } from '../../connectors/lag.ts';
import { createRegistry } from '../../shared/platform/metrics.ts';
import { serveMetrics, type MetricsEndpoint } from '../../shared/platform/metrics-http.ts';

export const TEMPLATE_ENTRY = path.join(ROOT, 'template', 'node24-ts', 'index.ts');
export const DASHBOARD_ENTRY = path.join(ROOT, 'dashboard', 'server.ts');

export interface PipelineOptions {
  /** Default: <repo>/stack.yml. */
  stackFile?: string;
  /** Overrides for configuration, stack.yml `${VAR}` substitution and every child process. */
  env?: Record<string, string>;
  /** Per-function environment overrides (win over stack.yml and env). */
  functionEnv?: Record<string, Record<string, string>>;
  /** Run only these functions (default: all whose handler file exists). */
  only?: string[];
  /** Replicas per function (win over FUNCTION_REPLICAS and com.openfaas.scale.min; at most scale.max). */
  replicas?: Record<string, number>;
  /** Gateway port: default config.gatewayPort (8080); 0 picks a free port. */
  gatewayPort?: number;
  /** Kafka connector: false to disable; options otherwise. */
  kafka?: false | KafkaConnectorSettings;
  cron?: boolean;
  /**
   * Run the set-up step (shared/setup) before starting anything (default true): the MongoDB schema
   * of MONGO_DB (not with connectorsOnly: the deploy step `npm run setup` does it there) and the
   * pipeline's topics (unless kafka is false or kafka.ensureStandardTopics is false).
   */
  setup?: boolean;
  /** Start dashboard/server.ts if it exists (default false programmatically, true for the CLI). */
  dashboard?: boolean;
  /** No local gateway or function processes: connectors invoke config.gatewayUrl (a real OpenFaaS). */
  connectorsOnly?: boolean;
  /** How long start-up waits for function processes to be ready (they keep starting after). */
  readyTimeoutMs?: number;
  restartBackoff?: BackoffPolicy;
  async?: { concurrency?: number; maxAttempts?: number; backoff?: BackoffPolicy; drainMs?: number };
  /**
   * Directory journaling accepted async calls, so a stop or crash loses none (they run after the
   * next start). Default: <ORDERPULSE_HOME>/gateway/async-queue-<port> on the configured gateway
   * port (the CLI, the demo); none (in memory) with gatewayPort 0 unless given.
   */
  asyncJournal?: string | false;
  log?: Logger;
}

export interface Pipeline {
  config: Config;
  gatewayUrl: string;
  /** The gateway's basic-auth credentials (undefined with connectorsOnly and none configured) and where they came from. */
  gatewayCredentials: GatewayCredentials | undefined;
  credentialsSource: CredentialsSource | undefined;
  /** fetch(gatewayUrl + path) with the credentials: how tests and scripts call the gateway. */
  gatewayFetch(path: string, init?: RequestInit): Promise<Response>;
  dashboardUrl: string | undefined;
  functions: Map<string, FunctionEntry>;
  gateway: Gateway | undefined;
  kafka: KafkaConnector | undefined;
  cron: CronConnector | undefined;
  /** Pid of each running function process (null while down or when skipped); with replicas, the first running one. */
  pids(): Record<string, number | null>;
  /** Pid of every replica of each function (null for one that is down). */
  replicaPids(): Record<string, (number | null)[]>;
  stop(): Promise<void>;
}

/**
 * How many processes a function runs locally: the pipeline's override (--replicas, then
 * FUNCTION_REPLICAS), else com.openfaas.scale.min; never above com.openfaas.scale.max. Local runs
 * do not autoscale (no load-based scaler here): a function runs this many replicas throughout.
 */
export function replicasOf(def: FunctionDef, override: Record<string, number>): number {
  const n = override[def.name] ?? def.scale.min;
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`replicas of ${def.name}: ${n} must be a positive integer`);
  if (n > def.scale.max) throw new ConfigError(`replicas of ${def.name}: ${n} exceeds its com.openfaas.scale.max (${def.scale.max}) in stack.yml; lower --replicas/FUNCTION_REPLICAS or raise the label`);
  return n;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export async function startPipeline(opts: PipelineOptions = {}): Promise<Pipeline> {
  const baseEnv = { ...stringEnv(process.env), ...(opts.env ?? {}) };
  const config = loadConfig(baseEnv);
  const log = opts.log ?? createLogger({ component: 'pipeline' });
  // The gateway's credentials: configured, or generated into GATEWAY_PASSWORD_FILE at the first start.
  // With connectorsOnly the (real) gateway has its own: the connectors use the configured ones.
  let credentials: GatewayCredentials | undefined;
  let credentialsSource: CredentialsSource | undefined;
  if (opts.connectorsOnly) {
    credentials = readGatewayCredentials(config);
    credentialsSource = credentials ? (config.gatewayPassword ? 'env' : 'file') : undefined;
  } else {
    const c = ensureGatewayCredentials(config);
    ({ credentials, source: credentialsSource } = c);
  }
  // Children (functions, the dashboard) find them the same way: the user, and the password
  // inherited from GATEWAY_PASSWORD or read from GATEWAY_PASSWORD_FILE (never in the listing).
  const authEnv: Record<string, string> = { GATEWAY_USER: config.gatewayUser, ...(config.gatewayPassword ? {} : { GATEWAY_PASSWORD_FILE: config.gatewayPasswordFile }) };
  const stack = loadStack(opts.stackFile ?? path.join(ROOT, 'stack.yml'), baseEnv);
  if (opts.only) {
    const unknown = opts.only.filter((n) => !stack.functions.some((f) => f.name === n));
    if (unknown.length) throw new ConfigError(`--only: no function named ${unknown.join(', ')} in ${stack.file}`);
  }
  const selected = stack.functions.filter((f) => !opts.only || opts.only.includes(f.name));
  const replicaOverride = { ...config.functionReplicas, ...(opts.replicas ?? {}) };
  const unknownReplicas = Object.keys(opts.replicas ?? {}).filter((n) => !stack.functions.some((f) => f.name === n));
  if (unknownReplicas.length) throw new ConfigError(`--replicas: no function named ${unknownReplicas.join(', ')} in ${stack.file}`);
  const replicas = Object.fromEntries(selected.map((f) => [f.name, replicasOf(f, replicaOverride)]));

  const functions = new Map<string, FunctionEntry>();
  const stoppers: (() => Promise<void>)[] = [];
  let gateway: Gateway | undefined;
  let kafka: KafkaConnector | undefined;
  let cron: CronConnector | undefined;
  let lag: LagMonitor | undefined;
  let dashboard: ManagedProcess | undefined;
  let gatewayUrl = config.gatewayUrl;
  // One registry for the gateway's and the connectors' series: GET <gateway>/metrics serves both
  // (with --connectors-only, the connectors' own endpoint on CONNECTORS_METRICS_PORT does).
  const registry = createRegistry();
  let metricsEndpoint: MetricsEndpoint | undefined;

  const stopAll = async (): Promise<void> => {
    // Connectors first (no new invocations), then the gateway (drains async calls), then processes.
    await cron?.stop();
    await kafka?.stop();
    await lag?.stop();
    await gateway?.close();
    await Promise.allSettled([...functions.values()].map((e) => e.proc?.stop()));
    await dashboard?.stop();
    await metricsEndpoint?.close();
    for (const s of stoppers) await s();
  };

  try {
    if (opts.setup !== false) {
      const topics = opts.kafka !== false && opts.kafka?.ensureStandardTopics !== false;
      if (!opts.connectorsOnly || topics) await setUp(config, log.child({ component: 'setup' }), { schema: !opts.connectorsOnly, topics });
    }
    if (!opts.connectorsOnly) {
      const gatewayPort = opts.gatewayPort ?? config.gatewayPort;
      // The gateway must listen before functions start so GATEWAY_URL is right for them.
      const journalDir = opts.asyncJournal ?? (opts.gatewayPort === undefined ? path.join(config.localDir, 'gateway', `async-queue-${gatewayPort}`) : false);
      gateway = await startGateway({
        port: gatewayPort,
        ...(journalDir ? { journal: fileJournal(journalDir) } : {}),
        ...(opts.async?.drainMs === undefined ? {} : { drainMs: opts.async.drainMs }),
        functions,
        log: log.child({ component: 'gateway' }),
        async: opts.async,
        credentials: credentials!,
        asyncLimits: { maxRequests: config.asyncQueueMaxRequests, maxBytes: config.asyncQueueMaxBytes },
        callbackAllow: config.gatewayCallbackAllow,
        registry,
      });
      gatewayUrl = gateway.url;
      for (const def of selected) functions.set(def.name, startFunction(def));
      gateway.restoreAsync();
      const notReady: string[] = [];
      await Promise.all(
        [...functions.values()].map(async (e) => {
          if (e.proc && !(await e.proc.waitAllReady(opts.readyTimeoutMs ?? 60_000))) notReady.push(e.def.name);
        }),
      );
      if (notReady.length) log.error('functions not ready yet (still retrying; see their logs above)', { functions: notReady });
    } else if (config.connectorsMetricsPort > 0) {
      metricsEndpoint = await serveMetrics({ registry, port: config.connectorsMetricsPort, log });
    }

    ({ kafka, cron, lag } = await startConnectors({
      config,
      functions: selected.filter((f) => opts.connectorsOnly || functions.get(f.name)?.proc),
      gatewayUrl,
      log,
      kafka: opts.kafka,
      cron: opts.cron,
      replicas,
      metrics: promConnectorMetrics(registry),
    }));
    if (opts.dashboard && existsSync(DASHBOARD_ENTRY)) {
      dashboard = new ManagedProcess({
        name: 'dashboard',
        entry: DASHBOARD_ENTRY,
        env: { ...baseEnv, ...authEnv, GATEWAY_URL: gatewayUrl },
        port: config.dashboardPort,
        portEnv: 'DASHBOARD_PORT',
        healthPath: '/healthz',
        log: log.child({ component: 'dashboard' }),
        cwd: ROOT,
      });
      dashboard.start();
      if (!(await dashboard.waitReady(opts.readyTimeoutMs ?? 60_000))) log.error('dashboard not ready yet (still retrying)', { port: config.dashboardPort });
    } else if (opts.dashboard) {
      log.warn('dashboard/server.ts does not exist yet; no dashboard');
    }
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }

  function startFunction(def: FunctionDef): FunctionEntry {
    const entry: FunctionEntry = { def, proc: undefined, invocations: 0, createdAt: new Date().toISOString() };
    if (def.lang !== 'node24-ts') {
      entry.skipped = `lang ${def.lang} is not supported locally (only node24-ts)`;
      log.warn('function skipped', { fn: def.name, reason: entry.skipped });
      return entry;
    }
    if (!existsSync(def.handlerFile)) {
      entry.skipped = `${path.relative(ROOT, def.handlerFile)} does not exist`;
      log.warn('function skipped', { fn: def.name, reason: entry.skipped });
      return entry;
    }
    const env: Record<string, string> = {
      ...baseEnv,
      ...def.environment,
      ...(opts.env ?? {}),
      ...(opts.functionEnv?.[def.name] ?? {}),
      FUNCTION_NAME: def.name,
      OPENFAAS_NAME: def.name,
      HANDLER_PATH: def.handlerFile,
      HOST: '127.0.0.1',
      GATEWAY_URL: gatewayUrl,
      GATEWAY_PORT: String(new URL(gatewayUrl).port),
      ...authEnv,
    };
    const count = replicas[def.name] ?? 1;
    const procs = Array.from(
      { length: count },
      (_, i) =>
        new ManagedProcess({
          name: def.name,
          entry: TEMPLATE_ENTRY,
          env: count > 1 ? { ...env, FUNCTION_REPLICA: String(i) } : env,
          healthPath: '/_/health',
          log: log.child({ component: 'supervisor', fn: def.name, ...(count > 1 ? { replica: i } : {}) }),
          stopGraceMs: Math.min(def.timeoutMs, 60_000) + 5000,
          restartBackoff: opts.restartBackoff,
          cwd: ROOT,
        }),
    );
    entry.proc = new ReplicaSet(def.name, procs);
    entry.proc.start();
    return entry;
  }

  let stopped: Promise<void> | undefined;
  const client = new GatewayClient(gatewayUrl, credentials);
  return {
    config,
    gatewayUrl,
    gatewayCredentials: credentials,
    credentialsSource,
    gatewayFetch: (p, init) => client.fetch(p, init),
    dashboardUrl: dashboard ? `http://127.0.0.1:${config.dashboardPort}` : undefined,
    functions,
    gateway,
    kafka,
    cron,
    pids: () => Object.fromEntries([...functions.values()].map((e) => [e.def.name, e.proc?.pid ?? null])),
    replicaPids: () => Object.fromEntries([...functions.values()].map((e) => [e.def.name, e.proc?.pids() ?? []])),
    stop: () => (stopped ??= stopAll()),
  };
}

function parseArgs(argv: string[]): PipelineOptions {
  const { help: _help, ...opts } = parseOrExit(PIPELINE_USAGE, () => parsePipelineArgs(argv), (a) => a.help);
  return opts;
}

async function main(): Promise<void> {
  const log = createLogger({ component: 'pipeline' });
  let p: Pipeline;
  try {
    p = await startPipeline({ ...parseArgs(process.argv.slice(2)), log });
  } catch (err) {
    log.error('pipeline failed to start', { err });
    process.exitCode = 1;
    return;
  }
  const lines = [`OrderPulse pipeline running`, `  gateway:   ${p.gatewayUrl}  (/system/functions, /metrics)`];
  if (p.gatewayCredentials) {
    const where = p.credentialsSource === 'env' ? 'from GATEWAY_PASSWORD' : `${p.credentialsSource === 'generated' ? 'generated into' : 'from'} ${p.config.gatewayPasswordFile}`;
    lines.push(`  gateway login: user ${p.gatewayCredentials.user}, password ${p.gatewayCredentials.password}  (${where}; e.g. curl -u ${p.gatewayCredentials.user}:… )`);
  }
  for (const e of p.functions.values()) {
    const trig = e.def.cron ? `cron "${e.def.cron.expression}"` : e.def.topics.length ? `kafka ${e.def.topics.join(',')}` : 'http';
    const pids = e.proc && e.proc.replicas.length > 1 ? `${e.proc.replicas.length} replicas, pids ${e.proc.pids().join(',')}` : `pid ${e.proc?.pid ?? '-'}`;
    lines.push(`  ${e.def.name.padEnd(14)} ${e.skipped ? `skipped: ${e.skipped}` : `${p.gatewayUrl}/function/${e.def.name}  [${trig}] ${pids}`}`);
  }
  if (p.dashboardUrl) lines.push(`  dashboard: ${p.dashboardUrl}  (/metrics)`);
  lines.push('Ctrl-C stops everything.');
  process.stdout.write(lines.join('\n') + '\n');
  stopOnSignals(() => p.stop(), log);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  void main();
}
