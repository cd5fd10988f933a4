/**
 * The one idempotent set-up step of OpenFaaS deployments and the local pipeline: MongoDB
 * collections and indexes (the star schema, the order-id registry and its one-time backfill from
 * orders_fact: ensureSchema in shared/adapters/mongo.ts) and every Kafka topic the pipeline uses, with its
 * partition count. Functions never create them: `npm run setup` runs this before
 * `faas-cli deploy`, and `npm run pipeline` runs it at start-up. Safe to run any number of times.
 */
import type { Config } from '../platform/config.ts';
import { ConfigError } from '../platform/errors.ts';
import type { Logger } from '../platform/log.ts';

export interface TopicSpec {
  topic: string;
  partitions: number;
}

/**
 * The pipeline's topics: orders and orders.accepted keyed by order_id over 4 partitions (ingest
 * and aggregate scale to 4 consumers), the DLQ and kpi.deltas (every notice has one key) small.
 */
export function pipelineTopics(config: Config): TopicSpec[] {
  return [
    { topic: config.topics.orders, partitions: 4 },
    { topic: config.topics.dlq, partitions: 1 },
    { topic: config.topics.accepted, partitions: 4 },
    { topic: config.topics.deltas, partitions: 4 },
    // Alert changes (issue 11): rare, keyed by alert id; one partition keeps them in order.
    { topic: config.alertsTopic, partitions: 1 },
  ];
}

/** The two steps, behind small interfaces (adapters/open.ts wires MongoDB and Kafka). */
export interface SetupSteps {
  /** Collections and indexes of the star schema (idempotent). */
  schema(): Promise<void>;
  /** Create the topics that do not exist yet (idempotent; existing topics are left as they are). */
  topics(list: TopicSpec[]): Promise<void>;
  /**
   * Once (opt-in): mark every order already in the archive as archived and register it
   * (shared/archive/adapters/backfill-marks.ts). For archives written before the registry.
   */
  archiveBackfill?(): Promise<{ ran: boolean; rows: number; marked: number; registered: number }>;
}

export interface SetupOptions {
  /** Create the MongoDB schema (default true). */
  schema?: boolean;
  /** Create the pipeline's topics (default true). */
  topics?: boolean;
  /** Backfill `order_ids_archived` and `order_ids` from the archive's files (default false; once). */
  backfillArchive?: boolean;
}

export interface SetupResult {
  schema: boolean;
  topics: TopicSpec[];
  /** Set when backfillArchive was asked for. */
  archiveBackfill?: { ran: boolean; rows: number; marked: number; registered: number };
  ms: number;
}

export async function runSetup(steps: SetupSteps, config: Config, log: Logger, opts: SetupOptions = {}): Promise<SetupResult> {
  const t0 = Date.now();
  const schema = opts.schema !== false;
  const topics = opts.topics === false ? [] : pipelineTopics(config);
  if (schema) await steps.schema();
  if (topics.length) await steps.topics(topics);
  let archiveBackfill: SetupResult['archiveBackfill'];
  if (opts.backfillArchive === true) {
    if (steps.archiveBackfill === undefined) throw new ConfigError('set-up: backfillArchive was asked for, but these set-up steps cannot read the archive');
    archiveBackfill = await steps.archiveBackfill();
    log.info('archive backfill', archiveBackfill);
  }
  const result: SetupResult = { schema, topics, ms: Date.now() - t0, ...(archiveBackfill ? { archiveBackfill } : {}) };
  log.info('set-up done', {
    db: schema ? config.mongoDb : undefined,
    topics: topics.map((t) => `${t.topic}:${t.partitions}`),
    ...(topics.length ? { replication_factor: config.kafkaReplicationFactor, min_insync_replicas: config.kafkaMinInsyncReplicas } : {}),
    ms: result.ms,
  });
  return result;
}
