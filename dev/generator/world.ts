/**
 * The fixed world the orders happen in: catalogue, customers, and the precomputed samplers
 * (Zipf popularity of customers; per-segment product choice with price affinity).
 */
import type { Product, Segment } from '../../shared/contract/types.ts';
import { buildCatalogue, type CatalogueProduct } from './catalogue.ts';
import { createCustomers, SEGMENT_ORDER, type CustomerPopulation } from './customers.ts';
import type { ModelParams } from './model.ts';
import { freezeWithJson } from './encode.ts';
import { createRng } from './prng.ts';
import { weightedSampler, zipfSampler, zipfWeights, type IndexSampler } from './sampling.ts';

export interface World {
  catalogue: readonly CatalogueProduct[];
  /** Contract-shaped product objects, frozen and shared by every event (index = catalogue index). */
  products: readonly Readonly<Product>[];
  /** Popularity rank of each catalogue product (0 = most popular). */
  productRank: Int32Array;
  customers: CustomerPopulation;
  /** Draws a customer popularity rank (Zipf). */
  customerRanks: IndexSampler;
  /** Per segment: draws a catalogue index (Zipf popularity x price affinity). */
  productChoice: Record<Segment, IndexSampler>;
}

export function buildWorld(m: ModelParams): World {
  const catalogue = buildCatalogue(m.worldSeed, m.productsPerCategory);
  const n = catalogue.length;
  // Popularity ranks: a fixed shuffle, so best sellers are spread over categories.
  const rng = createRng(m.worldSeed, 'popularity');
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const productRank = new Int32Array(n);
  order.forEach((productIndex, rank) => {
    productRank[productIndex] = rank;
  });
  const zw = zipfWeights(n, m.productZipf);
  const prices = catalogue.map((p) => p.listCents).sort((a, b) => a - b);
  const median = prices[Math.floor(n / 2)] as number;
  const productChoice = {} as Record<Segment, IndexSampler>;
  for (const seg of SEGMENT_ORDER) {
    const beta = m.segments[seg].priceAffinity;
    productChoice[seg] = weightedSampler(catalogue.map((p, i) => (zw[productRank[i] as number] as number) * Math.pow(p.listCents / median, beta)));
  }
  return {
    catalogue,
    products: catalogue.map((p) => freezeWithJson<Product>({ product_id: p.product_id, name: p.name, category: p.category })),
    productRank,
    customers: createCustomers(m),
    customerRanks: zipfSampler(m.customers, m.customerZipf),
    productChoice,
  };
}
