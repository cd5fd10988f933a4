/**
 * Production durability settings against the real local services (issue 9 item 7): MongoDB
 * clients write with w: majority (FerretDB accepts it), topics are created with the configured
 * replication factor and min.insync.replicas.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes } from 'kafkajs';
import { loadConfig } from '../platform/config.ts';
import { DependencyError } from '../platform/errors.ts';
import { createKafka, ensureTopics } from './kafka.ts';
import { connectMongo } from './mongo.ts';
import { liveSetupSteps } from '../setup/adapters/open.ts';
import { createLogger } from '../platform/log.ts';

const sfx = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const created: string[] = [];
const kafka = createKafka(loadConfig(), 'orderpulse-durability-test');

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

describe('MongoDB write concern', () => {
  it('is w: majority by default, configurable, and accepted by the server for inserts, updates and deletes', async () => {
    for (const [env, w] of [[{}, 'majority'], [{ MONGO_WRITE_CONCERN: '1' }, 1]] as const) {
      const db = `durability_${sfx}_${String(w)}`;
      const h = await connectMongo(loadConfig({ ...process.env, ...env }), db);
      try {
        expect(h.client.options.writeConcern?.w).toBe(w);
        const coll = h.db.collection('t');
        expect((await coll.insertMany([{ a: 1 }, { a: 2 }])).insertedCount).toBe(2);
        expect((await coll.updateOne({ a: 1 }, { $set: { b: 1 } })).modifiedCount).toBe(1);
        expect((await coll.deleteMany({ a: 2 })).deletedCount).toBe(1);
      } finally {
        await h.db.dropDatabase().catch(() => undefined);
        await h.close();
      }
    }
  });
});

describe('topic durability', () => {
  it('the set-up step creates topics with KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS', async () => {
    const topic = `durability-${sfx}`;
    created.push(topic);
    const config = loadConfig({ ...process.env, KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1' });
    await liveSetupSteps(config, createLogger({}, () => undefined)).topics([{ topic, partitions: 2 }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([1, 1]);
      const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }] });
      const entry = cfg.resources[0]!.configEntries.find((e) => e.configName === 'min.insync.replicas')!;
      expect(entry.configValue).toBe('1');
      expect(entry.isDefault).toBe(false); // set on the topic, not inherited
    } finally {
      await admin.disconnect();
    }
  });

  it('a replication factor the cluster cannot meet fails the set-up with an error naming the setting', async () => {
    const topic = `durability-rf3-${sfx}`;
    created.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const err = await ensureTopics(admin, [{ topic, partitions: 1 }], { replicationFactor: 3, minInsyncReplicas: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DependencyError);
      expect((err as Error).message).toContain('KAFKA_REPLICATION_FACTOR');
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});
