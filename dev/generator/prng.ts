/**
 * Seeded pseudo-random numbers for the generator (no Math.random anywhere in the model).
 *
 * Core: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator, 128-bit state, 32-bit
 * output), seeded through splitmix32 so that nearby seeds and stream ids give unrelated
 * sequences. Every independent part of the model draws from its own named stream, so changing
 * one part (e.g. the duplicate rate) never shifts the numbers another part sees.
 */

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Exponential with mean 1. */
  exp(): number;
  /** Standard normal (Marsaglia polar method). */
  normal(): number;
  /** true with probability p. */
  chance(p: number): boolean;
}

const TWO_POW_32 = 4294967296;

/** splitmix32 step: a good 32-bit mixer for seeding. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a over a string's UTF-16 code units, then mixed: a stable 32-bit hash for stream names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h >>> 0);
}

/**
 * A generator for (seed, stream). `seed` is any non-negative integer up to 2^53; `stream`
 * names an independent sequence ("arrivals", "flash", "world", ...).
 */
export function createRng(seed: number, stream = ''): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  const sh = hashString(stream);
  let a = mix32(lo ^ 0x6a09e667);
  let b = mix32(hi ^ 0xbb67ae85 ^ a);
  let c = mix32(sh ^ 0x3c6ef372 ^ b);
  let d = mix32(c ^ 0xa54ff53a) | 1;
  let spare = 0;
  let hasSpare = false;

  const u32 = (): number => {
    // sfc32
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: sfc32's first outputs correlate with the seed words.
  for (let i = 0; i < 12; i++) u32();

  const float = (): number => u32() / TWO_POW_32;
  return {
    u32,
    float,
    int: (n) => Math.floor(float() * n),
    exp: () => -Math.log(1 - float()),
    normal: () => {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      let u: number;
      let v: number;
      let s: number;
      do {
        u = float() * 2 - 1;
        v = float() * 2 - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * m;
      hasSpare = true;
      return u * m;
    },
    chance: (p) => float() < p,
  };
}
