/**
 * The customer population. A customer's attributes (segment, state, city) are a pure function
 * of (world seed, customer number, segment shares): the same customer_id always carries the
 * same attributes, whatever the run seed or the population size. Popularity is Zipf over ranks;
 * ranks map to customer numbers through a fixed bijection so the busiest customers are spread
 * over the id space rather than being c-000001, c-000002, ...
 */
import type { Customer, Segment } from '../../shared/contract/types.ts';
import { US_STATES } from './geo.ts';
import { freezeWithJson } from './encode.ts';
import type { ModelParams } from './model.ts';
import { mix32 } from './prng.ts';
import { weightedSampler } from './sampling.ts';

export const SEGMENT_ORDER: readonly Segment[] = ['premium', 'regular', 'budget'];

export interface CustomerPopulation {
  readonly size: number;
  /** The customer with 0-based number i (customer_id c-<i+1>), built once and cached. */
  get(i: number): Readonly<Customer>;
  /** Customer number for a popularity rank (0 = most active). */
  byRank(rank: number): number;
  /** Index into US_STATES of customer i. */
  stateIndex(i: number): number;
}

function unit(worldSeed: number, i: number, salt: number): number {
  return mix32(mix32(i ^ Math.imul(salt, 0x27d4eb2d)) ^ worldSeed) / 4294967296;
}

function coprimeStep(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.max(1, Math.floor(n * 0.6180339887)) | 1;
  while (gcd(step, n) !== 1) step += 1;
  return step;
}

export function createCustomers(m: Pick<ModelParams, 'worldSeed' | 'customers' | 'segments'>): CustomerPopulation {
  const n = m.customers;
  const segSampler = weightedSampler(SEGMENT_ORDER.map((s) => m.segments[s].customerShare));
  const stateSampler = weightedSampler(US_STATES.map((s) => s.populationK));
  const citySamplers = US_STATES.map((s) => weightedSampler(s.cities.map((_, k) => 1 / (k + 1))));
  const width = Math.max(6, String(n).length);
  const cache = new Array<Readonly<Customer> | undefined>(n);
  const stateIdx = new Int16Array(n).fill(-1);
  const step = coprimeStep(n);
  const ws = m.worldSeed >>> 0;

  const stateIndex = (i: number): number => {
    let s = stateIdx[i] as number;
    if (s < 0) {
      s = stateSampler.at(unit(ws, i, 2));
      stateIdx[i] = s;
    }
    return s;
  };
  return {
    size: n,
    stateIndex,
    byRank: (rank) => (rank * step + 7) % n,
    get(i) {
      let c = cache[i];
      if (c === undefined) {
        const si = stateIndex(i);
        const st = US_STATES[si]!;
        c = freezeWithJson<Customer>({
          customer_id: `c-${String(i + 1).padStart(width, '0')}`,
          segment: SEGMENT_ORDER[segSampler.at(unit(ws, i, 1))] as Segment,
          state: st.code,
          city: st.cities[citySamplers[si]!.at(unit(ws, i, 3))] as string,
        });
        cache[i] = c;
      }
      return c;
    },
  };
}
