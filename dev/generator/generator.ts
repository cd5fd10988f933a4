/**
 * The order generator: a pure, seeded, deterministic stream of contract events (docs/contracts.md §2).
 * No I/O and no Math.random: the same options always give the same events, byte for byte.
 */
import type { OrderEvent, OrderStatus, PaymentMethod, PaymentStatus, Segment } from '../../shared/contract/types.ts';
import { US_STATES } from './geo.ts';
import { createDailyCurve, createFlashSchedule, type FlashSale } from './intensity.ts';
import { DEFAULT_MODEL, validateModel, type ModelParams } from './model.ts';
import { createRng, hashString } from './prng.ts';
import { geometric, logNormal, tableSampler } from './sampling.ts';
import { buildWorld, type World } from './world.ts';
import { SEGMENT_ORDER } from './customers.ts';
import { failureRateAt, groundTruth, nextArrival, validateIncidents, type Incident, type IncidentTruth } from './incidents.ts';

export interface GeneratorOptions {
  /** Run seed: a non-negative safe integer. */
  seed: number;
  /** Event time of the first order: epoch ms, ISO-8601 string or Date. */
  start: number | string | Date;
  /** Mean orders per second of event time, averaged over a week (default 100). */
  eventRate?: number;
  model?: ModelParams;
  /** Injected incidents (payment outages, demand drops; incidents.ts). None: the stream is as before. */
  incidents?: readonly Incident[];
}

export interface OrderGenerator {
  next(): OrderEvent;
  /** Orders generated so far. */
  readonly count: number;
  /** Event time (epoch ms) of the next order. */
  readonly timeMs: number;
  /** 8 hex digits identifying (seed, start, eventRate, model); part of every order_id. */
  readonly runId: string;
  readonly seed: number;
  readonly startMs: number;
  readonly eventRate: number;
  /** Flash sales that have started so far. */
  readonly flashSales: readonly FlashSale[];
  readonly world: World;
  /** The order_id of the order with 0-based sequence number `seq`. */
  orderId(seq: number): string;
  /** Injected incidents and the flash sales seen so far: kind, subject, onset, end (the alert bench's ground truth). */
  truth(): IncidentTruth[];
}

export const DEFAULT_EVENT_RATE = 100;

export function parseStart(start: number | string | Date): number {
  const ms = typeof start === 'number' ? start : typeof start === 'string' ? Date.parse(start) : start.getTime();
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) throw new RangeError(`start must be a valid time between 1970 and 9999, got ${String(start)}`);
  return Math.floor(ms);
}

let worldCache: { key: string; world: World } | undefined;
function worldFor(m: ModelParams): World {
  const key = JSON.stringify([m.worldSeed, m.customers, m.customerZipf, m.productsPerCategory, m.productZipf, SEGMENT_ORDER.map((s) => [m.segments[s].customerShare, m.segments[s].priceAffinity])]);
  if (worldCache?.key !== key) worldCache = { key, world: buildWorld(m) };
  return worldCache.world;
}

export function createGenerator(opts: GeneratorOptions): OrderGenerator {
  const m = opts.model ?? DEFAULT_MODEL;
  validateModel(m);
  const seed = opts.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  const eventRate = opts.eventRate ?? DEFAULT_EVENT_RATE;
  if (!(eventRate > 0) || !Number.isFinite(eventRate)) throw new RangeError(`eventRate must be > 0, got ${eventRate}`);
  const startMs = parseStart(opts.start);
  const incidents = opts.incidents ?? [];
  validateIncidents(incidents);
  // Incidents change the events, so they change the run id (order ids never collide with the plain run's).
  const runId = hashString(JSON.stringify(incidents.length === 0 ? [seed, startMs, eventRate, m] : [seed, startMs, eventRate, m, incidents])).toString(16).padStart(8, '0');
  const idPrefix = `o-${seed}-${runId}-`;
  const payPrefix = `pay-${seed}-${runId}-`;

  const world = worldFor(m);
  const arrivals = createRng(seed, 'arrivals');
  const rng = createRng(seed, 'orders');
  const daily = createDailyCurve(m);
  const flash = createFlashSchedule(createRng(seed, 'flash'), m.flash, startMs, world.catalogue.length);

  const segIndex: Record<Segment, number> = { premium: 0, regular: 1, budget: 2 };
  const segModels = SEGMENT_ORDER.map((s) => m.segments[s]);
  const payMix = segModels.map((s) => tableSampler<PaymentMethod>(s.paymentMix));
  const afterSuccess = tableSampler<OrderStatus>(m.statusAfterSuccess);
  const afterFailure = tableSampler<OrderStatus>(m.statusAfterFailure);
  const shipStd = Math.round(m.shipping.standard * 100);
  const shipBulky = Math.round(m.shipping.bulky * 100);
  const shipExtra = Math.round(m.shipping.perExtraItem * 100);
  const freeFrom = segModels.map((s) => (s.freeShippingFrom === null ? Number.POSITIVE_INFINITY : Math.round(s.freeShippingFrom * 100)));
  const ratePerMs = eventRate / 1000;

  let t = startMs;
  let seq = 0;

  const next = (): OrderEvent => {
    const now = t;
    const sale = flash.at(now);
    const n = seq++;

    // Who buys what.
    const ci = world.customers.byRank(world.customerRanks.sample(rng));
    const customer = world.customers.get(ci);
    const si = segIndex[customer.segment];
    const seg = segModels[si]!;
    let pi: number;
    let discount = 0;
    if (sale !== null && rng.chance(m.flash.saleShare)) pi = sale.products[rng.int(sale.products.length)] as number;
    else pi = world.productChoice[customer.segment].sample(rng);
    const cat = world.catalogue[pi]!;
    if (sale !== null && sale.products.includes(pi)) discount = sale.discount;

    // Money, in integer cents.
    const quantity = geometric(rng, seg.quantityP, seg.maxQuantity);
    const unitCents = discount > 0 ? Math.max(1, Math.round(cat.listCents * (1 - discount))) : cat.listCents;
    const subtotal = quantity * unitCents;
    const shipping = subtotal >= (freeFrom[si] as number) ? 0 : (cat.shipping === 'bulky' ? shipBulky : shipStd) + shipExtra * (quantity - 1);
    const tax = Math.round(subtotal * US_STATES[world.customers.stateIndex(ci)]!.taxRate);

    // Payment and status.
    const method = payMix[si]!.sample(rng);
    const pm = m.payments[method];
    const failureRate = incidents.length === 0 ? pm.failureRate : failureRateAt(incidents, method, now, pm.failureRate);
    const payStatus: PaymentStatus = rng.chance(failureRate) ? 'failed' : 'success';
    const processing = Math.round(logNormal(rng, pm.medianMs, pm.sigma));
    const status = (payStatus === 'success' ? afterSuccess : afterFailure).sample(rng);

    const event: OrderEvent = {
      order_id: idPrefix + n,
      order_timestamp: new Date(Math.floor(now)).toISOString(),
      customer,
      product: world.products[pi]!,
      quantity,
      unit_price: unitCents / 100,
      shipping_cost: shipping / 100,
      tax_amount: tax / 100,
      total_amount: (subtotal + shipping + tax) / 100,
      order_status: status,
      payment: { payment_id: payPrefix + n, method, status: payStatus, processing_ms: processing },
    };
    if (discount > 0 && sale !== null) event.campaign = sale.campaign;

    // Next arrival: exponential gap at the current intensity (a time-change of a unit Poisson
    // process, one Euler step per order; the intensity varies over minutes, gaps are far shorter).
    const lambda = ratePerMs * daily(now) * (sale !== null && now < sale.endMs ? sale.multiplier : 1);
    t = incidents.length === 0 ? now + arrivals.exp() / lambda : nextArrival(incidents, now, arrivals.exp(), lambda);
    return event;
  };

  return {
    next,
    get count() {
      return seq;
    },
    get timeMs() {
      return t;
    },
    runId,
    seed,
    startMs,
    eventRate,
    get flashSales() {
      return flash.seen;
    },
    world,
    orderId: (s) => idPrefix + s,
    truth: () => groundTruth(incidents, flash.seen),
  };
}
