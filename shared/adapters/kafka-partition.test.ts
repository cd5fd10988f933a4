import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../dev/generator/prng.ts';
import { murmur2, partitionForKey } from './kafka-partition.ts';

// kafkajs's own (Long-based) murmur2, the reference our placement must match.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

describe('murmur2 / partitionForKey', () => {
  it('matches kafkajs (and so the Java client) on known and random keys', () => {
    const rng = createRng(1, 'keys');
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'foobar', 'o-1-deadbeef-0', 'o-123456-0a1b2c3d-99999999', 'São Paulo', '日本', '🙂 emoji'];
    for (let i = 0; i < 3000; i++) {
      const len = rng.int(70);
      keys.push(Array.from({ length: len }, () => String.fromCharCode(rng.chance(0.05) ? 0x80 + rng.int(0x700) : 0x20 + rng.int(95))).join(''));
    }
    const mismatches = keys.filter((k) => murmur2(k) !== kafkajsMurmur2(k) || murmur2(Buffer.from(k)) !== kafkajsMurmur2(Buffer.from(k)));
    expect(mismatches).toEqual([]);
  });

  it('spreads keys over partitions, non-negative and below the count', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[partitionForKey(`o-1-abc-${i}`, 4)]! += 1;
    for (const c of counts) expect(Math.abs(c / 40_000 - 0.25)).toBeLessThan(0.02);
    expect(partitionForKey('x', 1)).toBe(0);
  });
});
