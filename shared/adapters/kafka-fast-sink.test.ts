import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../dev/generator/prng.ts';
import { checkFastSinkRuntime, kafkajsCompatiblePartition } from './kafka-fast-sink.ts';

// kafkajs's own (Long-based) murmur2, for keys its partitioner is given as strings.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

describe('kafkajsCompatiblePartition', () => {
  it('puts every key on the partition kafkajs DefaultPartitioner picks, for 1 to 16 partitions', () => {
    const rng = createRng(3, 'sink-keys');
    const keys = ['', 'a', 'o-1-deadbeef-0', 'São Paulo', '日本', '🙂'];
    for (let i = 0; i < 20_000; i++) {
      const len = 1 + rng.int(60);
      keys.push(Array.from({ length: len }, () => String.fromCharCode(rng.chance(0.03) ? 0x80 + rng.int(0x700) : 0x20 + rng.int(95))).join(''));
    }
    const partitioner = Partitioners.DefaultPartitioner();
    const mismatches: string[] = [];
    for (let n = 1; n <= 16; n++) {
      const partitionMetadata = Array.from({ length: n }, (_, p) => ({ partitionId: p, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
      for (const key of keys) {
        const theirs = partitioner({ topic: 't', partitionMetadata, message: { key, value: 'x' } });
        // @platformatic/kafka takes the partitioner's number modulo the topic's partition count.
        const ours = kafkajsCompatiblePartition(Buffer.from(key, 'utf8')) % n;
        if (ours !== theirs) mismatches.push(`${n}:${JSON.stringify(key)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('is the positive murmur2 (never negative, below 2^31)', () => {
    for (const key of ['x', 'o-9-ffffffff-7', 'negative?']) {
      const p = kafkajsCompatiblePartition(Buffer.from(key));
      expect(p).toBe(kafkajsMurmur2(key) & 0x7fffffff);
      expect(p).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('checkFastSinkRuntime', () => {
  it('refuses Node before 22 with what to do, accepts 22 and 24', () => {
    expect(() => checkFastSinkRuntime('20.20.2')).toThrow(/Node 22 or later, this is Node 20\.20\.2.*INGEST_PRODUCER=kafkajs/);
    expect(() => checkFastSinkRuntime('22.22.0')).not.toThrow();
    expect(() => checkFastSinkRuntime('24.6.0')).not.toThrow();
  });
});
