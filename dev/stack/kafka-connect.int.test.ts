/**
 * The kafka-connect service on a private worker (own ORDERPULSE_HOME and REST port; jars linked
 * from the shared install): it starts against our broker, and the MongoDB sink connector in the
 * benchmark's fastest configuration writes every event of a topic of its own into a database of
 * its own on the shared FerretDB; then it stops.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { createKafka } from '../../shared/adapters/kafka.ts';
import { connectMongo } from '../../shared/adapters/mongo.ts';
import { createGenerator } from '../generator/generator.ts';
import { encodeEventBuffer } from '../generator/encode.ts';
import { waitFor } from '../testing/wait-for.ts';
import { createTopic, deleteTopics, produceRaw, suffix } from '../../tests/corpus/kafka-io.ts';
import { sinkConfig } from '../../bench/peer-config.ts';
import { connectUrl, kafkaConnectService, KAFKA_CONNECT_LIBS } from './kafka-connect.ts';
import { installMavenLibs, libsDirOf } from './maven-libs.ts';
import type { ServiceContext } from './service.ts';
import { freePort } from '../testing/free-port.ts';

const shared = loadConfig();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'op-connect-'));
const id = suffix();
const topic = `it-connect-${id}`;
const dbName = `it_connect_${id}`;
let ctx: ServiceContext | undefined;

afterAll(async () => {
  if (ctx) await kafkaConnectService.stop(ctx).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('kafka-connect service (private worker)', () => {
  it('starts, sinks every event of a topic into FerretDB with the MongoDB connector, stops', { timeout: 600_000 }, async () => {
    const quiet = createLogger({}, () => undefined);
    const sharedCtx: ServiceContext = { config: shared, log: quiet, dir: path.join(shared.localDir, 'kafka-connect') };
    await installMavenLibs(sharedCtx, KAFKA_CONNECT_LIBS);
    const config = loadConfig({ ...process.env, ORDERPULSE_HOME: home, KAFKA_CONNECT_PORT: String(await freePort()) });
    const c: ServiceContext = { config, log: quiet, dir: path.join(home, 'kafka-connect') };
    ctx = c;
    fs.mkdirSync(c.dir, { recursive: true });
    fs.symlinkSync(libsDirOf(sharedCtx), libsDirOf(c));
    await kafkaConnectService.install(c);
    await kafkaConnectService.start(c);
    expect(await kafkaConnectService.status(c)).toMatchObject({ name: 'kafka-connect', running: true, healthy: true, endpoint: connectUrl(config.kafkaConnectPort) });

    const kafka = createKafka(config, `it-connect-${id}`);
    const admin = kafka.admin();
    const producer = kafka.producer();
    const h = await connectMongo(config, dbName);
    try {
      await admin.connect();
      await producer.connect();
      await createTopic(admin, topic, 2);
      const g = createGenerator({ seed: 7, start: '2024-05-01T00:00:00Z', eventRate: 500 });
      const events = Array.from({ length: 200 }, () => g.next());
      await produceRaw(producer, topic, events.map((e) => ({ key: e.order_id, bytes: encodeEventBuffer(e) })));
      const name = `it-connect-${id}`;
      const res = await fetch(`${connectUrl(config.kafkaConnectPort)}/connectors/${name}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sinkConfig('fastest', { topic, connectionUri: config.mongoUrl, database: dbName, collection: 'orders', tasks: 2 })),
      });
      expect(res.status).toBe(201);
      await waitFor(async () => (await h.db.collection('orders').countDocuments()) === events.length, { timeoutMs: 120_000, intervalMs: 500, what: 'the sink connector to write 200 documents' });
      const doc = await h.db.collection('orders').findOne({ order_id: events[0]!.order_id });
      expect(doc).toMatchObject({ order_id: events[0]!.order_id, customer: { customer_id: events[0]!.customer.customer_id } });
    } finally {
      await h.db.dropDatabase().catch(() => undefined);
      await h.close().catch(() => undefined);
      await deleteTopics(admin, [topic]).catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
    await kafkaConnectService.stop(c);
    expect((await kafkaConnectService.status(c)).running).toBe(false);
  });
});
