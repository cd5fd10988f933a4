import { describe, expect, it } from 'vitest';
import { buildCatalogue, CATEGORIES } from './catalogue.ts';

describe('buildCatalogue', () => {
  const cat = buildCatalogue(42, 30);

  it('has perCategory products in every category, unique ids and names', () => {
    expect(cat).toHaveLength(CATEGORIES.length * 30);
    expect(new Set(cat.map((p) => p.product_id)).size).toBe(cat.length);
    expect(new Set(cat.map((p) => p.name)).size).toBe(cat.length);
    for (const c of CATEGORIES) expect(cat.filter((p) => p.category === c.name)).toHaveLength(30);
    expect(cat[0]!.product_id).toBe('sku-00001');
  });

  it('prices are whole cents, at least $0.99, and follow the category medians', () => {
    expect(cat.every((p) => Number.isInteger(p.listCents) && p.listCents >= 99 && p.listCents % 100 === 99)).toBe(true);
    const median = (name: string): number => {
      const xs = cat.filter((p) => p.category === name).map((p) => p.listCents / 100).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    // Furniture is far dearer than groceries; each median lands within a factor 2 of its target.
    expect(median('Furniture')).toBeGreaterThan(5 * median('Grocery'));
    for (const c of CATEGORIES) {
      expect(median(c.name)).toBeGreaterThan(c.medianPrice / 2);
      expect(median(c.name)).toBeLessThan(c.medianPrice * 2);
    }
  });

  it('depends only on the world seed', () => {
    expect(buildCatalogue(42, 30)).toEqual(cat);
    expect(buildCatalogue(43, 30).map((p) => p.name)).not.toEqual(cat.map((p) => p.name));
    expect(() => buildCatalogue(42, 0)).toThrow(RangeError);
  });
});
