/**
 * Every number the detectors use, in one place (docs/alerts.md explains each and why).
 * Times are event time. The bench (bench/alerts.ts) prints them with its results.
 */
export interface DetectorParams {
  /** Trailing windows, seconds, evaluated every event-time second (shortest first). */
  paymentWindowsS: readonly number[];
  /** Demand windows for drops; surges use `surgeWindowsS` (no delay target, fewer chances of noise). */
  demandWindowsS: readonly number[];
  surgeWindowsS: readonly number[];
  /** The watermark trails the slowest active partition by this much (ms). */
  latenessMs: number;
  /** A partition whose newest event is this far behind the newest of all no longer holds the watermark back (ms). */
  idlePartitionMs: number;
  /** Open/resolve hysteresis: the normal condition must hold this many consecutive seconds to resolve. */
  resolveHoldS: number;
  payment: {
    /** Open when the window's failures are above the threshold rate at this binomial z. */
    zOpen: number;
    /** Resolve when the Wilson upper bound (60 s window) at this z is below the threshold rate. */
    zClose: number;
    /** Threshold rate = baseline + max(minLift, baseline × relLift). */
    minLift: number;
    relLift: number;
    /** An open alert keeps its subject's baseline from learning for at most this long (ms), so a lasting change becomes the norm. */
    maxMaskMs: number;
    /** Never alert on fewer failures than this in the window. */
    minFailures: number;
    /** The baseline must rest on at least this many (decayed) attempts before the method is tested. */
    minBaselineAttempts: number;
    /** Half-life of the baseline's exponential decay, seconds. */
    baselineHalfLifeS: number;
    /** Severity critical when the failures are above max(criticalRate, baseline × criticalRel) at zOpen. */
    criticalRate: number;
    criticalRel: number;
    /**
     * Per-method Bernoulli CUSUM beside the windows (cusum.ts), for methods with few attempts per
     * minute: p1 = min(p1Max, max(p1Min, p1Rel × baseline)); it alarms at h = max(hMin, ln(the
     * method's attempts per day × budgetDays)), which bounds false alarms to one per `budgetDays`
     * days per method (a CUSUM's in-control run length is at least e^h attempts).
     */
    cusum: {
      p1Min: number;
      p1Rel: number;
      p1Max: number;
      hMin: number;
      budgetDays: number;
      /** Resolve at low volume: the reverse statistic (evidence for the baseline, capped at dCap) must reach dClose. */
      dClose: number;
      dCap: number;
      /** Below this many attempts in the 60 s window the reverse statistic, not the 60 s Wilson bound, says "normal". */
      minResolveAttempts: number;
    };
  };
  demand: {
    /** Drop: N <= dropRatio × E and z <= −zDrop; surge: N >= surgeRatio × E and z >= zSurge. */
    dropRatio: number;
    zDrop: number;
    surgeRatio: number;
    zSurge: number;
    /** Resolve (60 s window) when N >= dropResolveRatio × E (drop) or N <= surgeResolveRatio × E (surge). */
    dropResolveRatio: number;
    surgeResolveRatio: number;
    /** Critical: N <= criticalDropRatio × E, or N >= criticalSurgeRatio × E. */
    criticalDropRatio: number;
    criticalSurgeRatio: number;
    /** An open demand alert keeps the baseline from learning for at most this long (ms). */
    maxMaskMs: number;
    /** Minimum expected orders in a window for it to be tested. */
    minExpected: number;
    /** A surge names a sale when that campaign tags at least this share of the window's orders. */
    saleShare: number;
    /** A minute is learned once it is this many seconds behind the evaluated second. */
    learnLagS: number;
    /** Learned minutes needed before demand is tested at all. */
    minLearnedMinutes: number;
    /** Holt level / trend smoothing per learned minute (bootstrap baseline). */
    levelAlpha: number;
    trendBeta: number;
    /** Seasonal profile: slot length in minutes and the weight of the newest day. */
    slotMinutes: number;
    dayAlpha: number;
    /** Half-life (minutes) of the ratio between today and the seasonal profile. */
    ratioHalfLifeMin: number;
    /** Learned minutes with a known profile needed before the seasonal baseline is used. */
    minRatioMinutes: number;
    /**
     * Drops during a flash sale (sale.ts): while a campaign's tagged orders keep arriving (one
     * within `saleGateS` seconds), the 60 s window is also judged against the sale's own level
     * (orders per second since the campaign appeared, decayed with half-life `saleRefHalfLifeS`,
     * learned 60 s behind and frozen while a drop alert is open), by a two-sample (conditional
     * binomial) test once `saleRefMinS` seconds of the sale are in the reference.
     */
    saleGateS: number;
    saleRefHalfLifeS: number;
    saleRefMinS: number;
  };
}

export const DEFAULT_PARAMS: DetectorParams = {
  paymentWindowsS: [10, 60, 300],
  demandWindowsS: [60, 300],
  surgeWindowsS: [60, 300],
  latenessMs: 1_000,
  idlePartitionMs: 300_000,
  resolveHoldS: 30,
  payment: {
    zOpen: 4.5,
    zClose: 1,
    minLift: 0.05,
    relLift: 1,
    maxMaskMs: 3_600_000,
    minFailures: 5,
    minBaselineAttempts: 200,
    baselineHalfLifeS: 3_600,
    criticalRate: 0.25,
    criticalRel: 5,
    cusum: { p1Min: 0.3, p1Rel: 2, p1Max: 0.9, hMin: 9, budgetDays: 20, dClose: 5, dCap: 7, minResolveAttempts: 30 },
  },
  demand: {
    dropRatio: 0.65,
    zDrop: 4.5,
    surgeRatio: 1.5,
    zSurge: 4.5,
    dropResolveRatio: 0.85,
    surgeResolveRatio: 1.2,
    criticalDropRatio: 0.2,
    criticalSurgeRatio: 3,
    maxMaskMs: 1_200_000,
    minExpected: 10,
    saleShare: 0.1,
    learnLagS: 120,
    minLearnedMinutes: 30,
    levelAlpha: 0.15,
    trendBeta: 0.05,
    slotMinutes: 10,
    dayAlpha: 0.5,
    ratioHalfLifeMin: 60,
    minRatioMinutes: 10,
    saleGateS: 10,
    saleRefHalfLifeS: 120,
    saleRefMinS: 30,
  },
};
