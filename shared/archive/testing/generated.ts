/**
 * Realistic fixtures for archive tests and the benchmark: the project's generator events turned
 * into fact and dimension rows exactly the way ingest builds them (shared/ingest/documents.ts), or
 * the way it built them before payments were folded into the fact (legacyFixtureOf).
 */
import { canonicalJson, sha256Hex } from '../../contract/canonical.ts';
import type { OrderEvent } from '../../contract/types.ts';
import { createGenerator } from '../../../dev/generator/generator.ts';
import { buildFact, customerRow, legacyPaymentRow, productRow } from '../../ingest/documents.ts';
import type { FactFixture } from './facts.ts';

export function fixtureOf(ev: OrderEvent, ingestedAt: Date): FactFixture {
  const fact = buildFact(ev, Date.parse(ev.order_timestamp), sha256Hex(canonicalJson(ev)), ingestedAt);
  return { fact, customer: customerRow(ev), product: productRow(ev) };
}

/** The fixture as a store written before the fold holds it: no `payment_attrs` on the fact, a `payments_dim` row. */
export function legacyFixtureOf(ev: OrderEvent, ingestedAt: Date): FactFixture {
  const { fact, ...dims } = fixtureOf(ev, ingestedAt);
  const { payment_attrs: _folded, ...legacy } = fact;
  return { ...dims, fact: legacy as typeof fact, payment: legacyPaymentRow(ev) };
}

/** `n` generator orders from 2026-01-01 at ~0.25 orders/s of event time (50 000 orders span ~2.3 days). */
export function generatedFixtures(n: number, seed: number, eventRate = 0.25): FactFixture[] {
  const g = createGenerator({ seed, start: '2026-01-01T00:00:00Z', eventRate });
  const at = new Date();
  return Array.from({ length: n }, () => fixtureOf(g.next(), at));
}
