/**
 * ingest: Kafka `orders` → validated facts and dimensions in MongoDB; bad events → `orders.dlq`;
 * accepted events → `orders.accepted`. Thin: parse the invocation, call the shared core, map
 * errors. MongoDB and Kafka clients are created once per process (lazily) and closed by shutdown().
 * A retriable failure answers 503 so the connector redelivers the batch (idempotently).
 */
import { loadConfig, type Config } from '../../shared/platform/config.ts';
import { errorBody, httpStatusOf } from '../../shared/platform/errors.ts';
import type { FnContext, FnEvent } from '../../shared/platform/fn.ts';
import { addCounts, emptyCounts } from '../../shared/ingest/counts.ts';
import { createDimCache, type DimCache } from '../../shared/ingest/dim-cache.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { ingestBatch } from '../../shared/ingest/ingest.ts';
import { createMongoStore } from '../../shared/ingest/adapters/mongo-store.ts';
import type { IngestCounts, IngestStore } from '../../shared/ingest/types.ts';
import { createKafka, createSink, ensureTopics, type KafkaSink } from '../../shared/adapters/kafka.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { connectMongo, ensureSchema, type MongoHandle } from '../../shared/adapters/mongo.ts';

const log = createLogger({ fn: 'ingest' });

interface Clients {
  config: Config;
  mongo: MongoHandle;
  sink: KafkaSink;
  store: IngestStore;
  dimCache: DimCache;
}

let clients: Promise<Clients> | undefined;
const totals: IngestCounts = emptyCounts();
let batches = 0;

async function connect(): Promise<Clients> {
  const config = loadConfig();
  const mongo = await connectMongo(config);
  try {
    await ensureSchema(mongo.db);
    const kafka = createKafka(config, 'orderpulse-ingest', log.child({ component: 'kafkajs' }));
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: config.topics.dlq, partitions: 1 },
        { topic: config.topics.accepted, partitions: 4 },
      ]);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const sink = await createSink(kafka);
    log.info('connected', { db: config.mongoDb, dlq: config.topics.dlq, accepted: config.topics.accepted });
    return { config, mongo, sink, store: createMongoStore(mongo.db), dimCache: createDimCache() };
  } catch (err) {
    await mongo.close().catch(() => undefined);
    throw err;
  }
}

function getClients(): Promise<Clients> {
  clients ??= connect().catch((err: unknown) => {
    clients = undefined; // the next invocation tries again
    throw err;
  });
  return clients;
}

export default async function handle(event: FnEvent, context: FnContext): Promise<unknown> {
  try {
    const batch = decodeEvent(event);
    if (batch.messages.length === 0) return emptyCounts();
    const c = await getClients();
    const { counts, timings } = await ingestBatch(batch, {
      store: c.store,
      sink: c.sink,
      topics: { dlq: c.config.topics.dlq, accepted: c.config.topics.accepted },
      maxEventBytes: c.config.maxEventBytes,
      dimCache: c.dimCache,
      log,
    });
    addCounts(totals, counts);
    batches++;
    const where = { topic: batch.topic, partition: batch.partition, first: batch.messages[0]?.offset };
    if (counts.received !== counts.accepted) log.info('batch', { ...where, ...counts, ...timings });
    else log.debug('batch', { ...where, received: counts.received, ...timings });
    return counts;
  } catch (err) {
    const status = httpStatusOf(err);
    log[status >= 500 ? 'error' : 'warn']('ingest failed', { status, err });
    context.status(status);
    return errorBody(err);
  }
}

/** Running totals of this process (sent as the /_/health body). */
export function health(): unknown {
  return { status: 'ok', batches, totals };
}

export async function shutdown(): Promise<void> {
  const pending = clients;
  clients = undefined;
  if (pending === undefined) return;
  const c = await pending.catch(() => undefined);
  if (c === undefined) return;
  await Promise.allSettled([c.sink.close(), c.mongo.close()]);
  log.info('closed', { batches, totals });
}
