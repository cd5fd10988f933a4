/** Distributions used by the model, all driven by an injected `Rng`. */
import type { Rng } from './prng.ts';

/** Draws an index with probability proportional to its weight: precomputed CDF + binary search. */
export interface IndexSampler {
  readonly size: number;
  /** Probability of index i. */
  prob(i: number): number;
  /** The index whose CDF interval holds u (u in [0, 1)). */
  at(u: number): number;
  sample(rng: Rng): number;
}

export function weightedSampler(weights: ArrayLike<number>): IndexSampler {
  const n = weights.length;
  if (n === 0) throw new RangeError('weightedSampler needs at least one weight');
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} must be finite and >= 0, got ${w}`);
    total += w;
    cdf[i] = total;
  }
  if (!(total > 0)) throw new RangeError('weights must not all be zero');
  for (let i = 0; i < n; i++) cdf[i] = (cdf[i] as number) / total;
  // Pin the CDF to exactly 1 from the last positive weight on, so rounding can never select a
  // trailing zero-weight index.
  let last = n - 1;
  while ((weights[last] as number) === 0) last -= 1;
  for (let i = last; i < n; i++) cdf[i] = 1;
  return {
    size: n,
    prob: (i) => (cdf[i] as number) - (i === 0 ? 0 : (cdf[i - 1] as number)),
    at,
    sample: (rng) => at(rng.float()),
  };
  function at(u: number): number {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Zipf weights 1/k^s for ranks k = 1..n (index 0 is the most popular). */
export function zipfWeights(n: number, s: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = 1 / Math.pow(k + 1, s);
  return w;
}

export function zipfSampler(n: number, s: number): IndexSampler {
  return weightedSampler(zipfWeights(n, s));
}

/** Geometric on {1, 2, ...} with success probability p (mean 1/p), capped at `max`. */
export function geometric(rng: Rng, p: number, max = Number.POSITIVE_INFINITY): number {
  if (p >= 1) return 1;
  const k = 1 + Math.floor(Math.log(1 - rng.float()) / Math.log(1 - p));
  return k > max ? max : k;
}

/** Log-normal with the given median (= e^mu) and shape sigma. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * rng.normal());
}

/** Picks a key of a probability table (values need not sum to 1). */
export function tableSampler<K extends string>(table: Readonly<Record<K, number>>): { keys: K[]; sampler: IndexSampler; sample(rng: Rng): K } {
  const keys = Object.keys(table) as K[];
  const sampler = weightedSampler(keys.map((k) => table[k]));
  return { keys, sampler, sample: (rng) => keys[sampler.sample(rng)] as K };
}
