/**
 * The generator's statistical model: every tunable number in one place, documented in
 * docs/generator.md. `DEFAULT_MODEL` is what `npm run generate` uses.
 */
import type { OrderStatus, PaymentMethod, Segment } from '../../shared/contract/types.ts';

export interface SegmentModel {
  /** Share of the customer population in this segment. */
  customerShare: number;
  /** Geometric quantity: success probability p (mean quantity 1/p), capped at maxQuantity. */
  quantityP: number;
  maxQuantity: number;
  /** Product choice weight is zipf(rank) * (listPrice / medianListPrice)^priceAffinity. */
  priceAffinity: number;
  /** Payment-method mix (relative weights). */
  paymentMix: Record<PaymentMethod, number>;
  /** Subtotal (dollars) at or above which shipping is free; 0 = always free, null = never. */
  freeShippingFrom: number | null;
}

export interface PaymentModel {
  failureRate: number;
  /** Log-normal processing time: median in ms and shape sigma. */
  medianMs: number;
  sigma: number;
}

export interface FlashSaleModel {
  /** Mean gap between flash sales in event-time minutes (exponential); 0 disables them. */
  meanGapMinutes: number;
  /** Duration, uniform in [min, max] minutes. */
  minMinutes: number;
  maxMinutes: number;
  /** Arrival intensity multiplier during a sale, uniform in [min, max]. */
  minMultiplier: number;
  maxMultiplier: number;
  /** Products on sale per flash sale, and the share of orders during a sale that pick one of them. */
  products: number;
  saleShare: number;
  /** Discount on sale products, a multiple of 5% in [min, max]. */
  minDiscount: number;
  maxDiscount: number;
}

export interface ModelParams {
  /** Seed of the fixed world (catalogue and customer attributes), independent of the run seed. */
  worldSeed: number;
  customers: number;
  customerZipf: number;
  productsPerCategory: number;
  productZipf: number;
  segments: Record<Segment, SegmentModel>;
  payments: Record<PaymentMethod, PaymentModel>;
  /** Order-status mix given the payment outcome (relative weights). */
  statusAfterSuccess: Record<OrderStatus, number>;
  statusAfterFailure: Record<OrderStatus, number>;
  /** Shipping fee in dollars by class, plus a per-extra-item surcharge. */
  shipping: { standard: number; bulky: number; perExtraItem: number };
  /** Arrival-intensity multiplier per local hour 0..23 (linearly interpolated between hour midpoints, normalised to mean 1). */
  hourly: readonly number[];
  /** Multiplier per local weekday, Monday..Sunday (normalised to mean 1). */
  weekday: readonly number[];
  /** Offset of the shop's local time from UTC in hours (US Eastern standard time: -5). */
  utcOffsetHours: number;
  flash: FlashSaleModel;
}

export const DEFAULT_MODEL: ModelParams = {
  worldSeed: 20240601,
  customers: 100_000,
  customerZipf: 0.7,
  productsPerCategory: 30,
  productZipf: 0.9,
  segments: {
    premium: { customerShare: 0.15, quantityP: 0.45, maxQuantity: 20, priceAffinity: 0.35, paymentMix: { credit_card: 0.6, debit_card: 0.12, paypal: 0.22, crypto: 0.06 }, freeShippingFrom: 0 },
    regular: { customerShare: 0.55, quantityP: 0.6, maxQuantity: 20, priceAffinity: 0, paymentMix: { credit_card: 0.45, debit_card: 0.25, paypal: 0.26, crypto: 0.04 }, freeShippingFrom: 50 },
    budget: { customerShare: 0.3, quantityP: 0.7, maxQuantity: 20, priceAffinity: -0.35, paymentMix: { credit_card: 0.25, debit_card: 0.42, paypal: 0.3, crypto: 0.03 }, freeShippingFrom: null },
  },
  payments: {
    credit_card: { failureRate: 0.025, medianMs: 350, sigma: 0.4 },
    debit_card: { failureRate: 0.04, medianMs: 300, sigma: 0.45 },
    paypal: { failureRate: 0.015, medianMs: 800, sigma: 0.5 },
    crypto: { failureRate: 0.08, medianMs: 2500, sigma: 0.7 },
  },
  statusAfterSuccess: { completed: 0.9, pending: 0.07, cancelled: 0.03 },
  statusAfterFailure: { completed: 0, pending: 0.3, cancelled: 0.7 },
  shipping: { standard: 5.99, bulky: 14.99, perExtraItem: 1.0 },
  //        00    01    02    03    04    05    06    07    08   09   10   11    12   13    14   15    16   17    18    19   20   21   22   23
  hourly: [0.35, 0.22, 0.15, 0.12, 0.12, 0.18, 0.35, 0.6, 0.85, 1.0, 1.1, 1.2, 1.45, 1.4, 1.15, 1.1, 1.15, 1.3, 1.55, 1.8, 1.9, 1.7, 1.2, 0.7],
  //         Mon   Tue   Wed   Thu   Fri  Sat   Sun
  weekday: [0.95, 0.95, 0.95, 0.97, 1.0, 1.08, 1.1],
  utcOffsetHours: -5,
  flash: { meanGapMinutes: 60, minMinutes: 3, maxMinutes: 10, minMultiplier: 2, maxMultiplier: 5, products: 3, saleShare: 0.5, minDiscount: 0.2, maxDiscount: 0.5 },
};

/** Throws a RangeError naming the first invalid parameter. */
export function validateModel(m: ModelParams): void {
  const bad = (what: string): never => {
    throw new RangeError(`invalid generator model: ${what}`);
  };
  if (!Number.isInteger(m.customers) || m.customers < 1 || m.customers > 10_000_000) bad('customers must be an integer in [1, 1e7]');
  if (!(m.customerZipf >= 0) || !(m.productZipf >= 0)) bad('zipf exponents must be >= 0');
  if (m.hourly.length !== 24 || m.hourly.some((x) => !(x > 0))) bad('hourly needs 24 positive multipliers');
  if (m.weekday.length !== 7 || m.weekday.some((x) => !(x > 0))) bad('weekday needs 7 positive multipliers');
  for (const [name, s] of Object.entries(m.segments)) {
    if (!(s.quantityP > 0 && s.quantityP <= 1)) bad(`segments.${name}.quantityP must be in (0, 1]`);
    if (!(s.customerShare >= 0)) bad(`segments.${name}.customerShare must be >= 0`);
    if (!Number.isInteger(s.maxQuantity) || s.maxQuantity < 1) bad(`segments.${name}.maxQuantity must be an integer >= 1`);
  }
  for (const [name, p] of Object.entries(m.payments)) {
    if (!(p.failureRate >= 0 && p.failureRate <= 1)) bad(`payments.${name}.failureRate must be in [0, 1]`);
    if (!(p.medianMs > 0) || !(p.sigma >= 0)) bad(`payments.${name} needs medianMs > 0 and sigma >= 0`);
  }
  const f = m.flash;
  if (!(f.meanGapMinutes >= 0)) bad('flash.meanGapMinutes must be >= 0');
  if (!(f.minMinutes > 0 && f.maxMinutes >= f.minMinutes)) bad('flash durations must satisfy 0 < min <= max');
  if (!(f.minMultiplier >= 1 && f.maxMultiplier >= f.minMultiplier)) bad('flash multipliers must satisfy 1 <= min <= max');
  if (!(f.saleShare >= 0 && f.saleShare <= 1)) bad('flash.saleShare must be in [0, 1]');
  if (!(f.minDiscount >= 0 && f.maxDiscount >= f.minDiscount && f.maxDiscount < 1)) bad('flash discounts must satisfy 0 <= min <= max < 1');
  if (!Number.isInteger(f.products) || f.products < 1) bad('flash.products must be an integer >= 1');
}
