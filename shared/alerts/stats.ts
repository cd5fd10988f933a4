/**
 * The statistical tests of the detectors (docs/alerts.md "Statistical tests"). Pure.
 *
 * - Payment failures are binomial: k failures out of n attempts. The Wilson score interval
 *   bounds the true rate given the volume, so 3 of 3 failures gives a lower bound far below
 *   what 300 of 1,000 gives.
 * - Orders per window are Poisson (the generator's arrivals are, and real shoppers roughly are).
 *   The z of N against E is the signed root of the Poisson deviance,
 *   sign(N − E)·√(2(N ln(N/E) − (N − E))): unlike (N − E)/√E it keeps the right tail
 *   probabilities for small counts (153 vs 102 expected is z 4.7, not 5.0; 0 vs 10 is −4.5).
 */

/** Wilson score lower bound of a binomial rate (k of n) at z standard deviations; 0 when n = 0. */
export function wilsonLower(k: number, n: number, z: number): number {
  if (n <= 0) return 0;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** Wilson score upper bound of a binomial rate (k of n) at z standard deviations; 1 when n = 0. */
export function wilsonUpper(k: number, n: number, z: number): number {
  if (n <= 0) return 1;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.min(1, (centre + margin) / (1 + z2 / n));
}

/** Poisson z of an observed count against an expected one (signed root deviance). */
export function poissonZ(observed: number, expected: number): number {
  if (expected <= 0) return observed > 0 ? Number.POSITIVE_INFINITY : 0;
  const n = Math.max(0, observed);
  const dev = 2 * ((n > 0 ? n * Math.log(n / expected) : 0) - (n - expected));
  return Math.sign(n - expected) * Math.sqrt(Math.max(0, dev));
}

/**
 * Binomial z of k failures in n attempts against rate p (signed root of the likelihood-ratio
 * deviance): accurate in the tail also for small n, where the Wilson bound is too generous
 * (6 of 8 against 0.16 is z 3.7, p ≈ 3e-4, although Wilson's 4.5-sigma lower bound is above 0.16).
 */
export function binomialZ(k: number, n: number, p: number): number {
  if (n <= 0) return 0;
  const q = k / n;
  const term = (x: number, a: number, b: number): number => (x > 0 ? x * Math.log(a / b) : 0);
  const dev = 2 * (term(k, q, p) + term(n - k, 1 - q, 1 - p));
  return Math.sign(q - p) * Math.sqrt(Math.max(0, dev));
}
