/**
 * The product catalogue: categories with a log-normal list-price distribution and a shipping
 * class, and products named "<brand> <item>[ <line>]". The catalogue is a fixed "world": it
 * depends only on the world seed and the products-per-category count, never on the run seed, so
 * a product_id always has the same name, category and list price across runs.
 */
import { createRng } from './prng.ts';
import { logNormal } from './sampling.ts';

export type ShippingClass = 'standard' | 'bulky';

export interface CategoryInfo {
  name: string;
  /** Median list price in dollars (e^mu of the log-normal). */
  medianPrice: number;
  /** Log-normal shape: spread of list prices within the category. */
  sigma: number;
  shipping: ShippingClass;
  items: readonly string[];
}

export const CATEGORIES: readonly CategoryInfo[] = [
  { name: 'Electronics', medianPrice: 120, sigma: 0.8, shipping: 'standard', items: ['Wireless Earbuds', 'Bluetooth Speaker', '4K Monitor', 'USB-C Hub', 'Mechanical Keyboard', 'Smartwatch', 'Action Camera', 'Noise-Cancelling Headphones', 'Portable Charger', 'Gaming Mouse'] },
  { name: 'Home & Kitchen', medianPrice: 35, sigma: 0.7, shipping: 'standard', items: ['Chef Knife', 'Cast Iron Skillet', 'Coffee Grinder', 'French Press', 'Blender', 'Cutting Board', 'Stand Mixer', 'Air Fryer', 'Tea Kettle', 'Storage Set'] },
  { name: 'Clothing', medianPrice: 28, sigma: 0.55, shipping: 'standard', items: ['Crew T-Shirt', 'Denim Jacket', 'Rain Coat', 'Wool Sweater', 'Chino Pants', 'Running Shorts', 'Hoodie', 'Flannel Shirt', 'Beanie', 'Sneakers'] },
  { name: 'Books', medianPrice: 14, sigma: 0.4, shipping: 'standard', items: ['Cookbook', 'Mystery Novel', 'Travel Guide', 'Sci-Fi Anthology', 'Biography', 'Poetry Collection', 'History Atlas', 'Graphic Novel', 'Self-Help Guide', 'Children Picture Book'] },
  { name: 'Beauty', medianPrice: 18, sigma: 0.5, shipping: 'standard', items: ['Face Serum', 'Moisturizer', 'Lip Balm Set', 'Shampoo', 'Hair Dryer', 'Sunscreen SPF 50', 'Perfume', 'Nail Kit', 'Body Lotion', 'Makeup Brush Set'] },
  { name: 'Sports & Outdoors', medianPrice: 40, sigma: 0.75, shipping: 'standard', items: ['Yoga Mat', 'Camping Tent', 'Hiking Backpack', 'Water Bottle', 'Dumbbell Pair', 'Trekking Poles', 'Sleeping Bag', 'Bike Helmet', 'Jump Rope', 'Headlamp'] },
  { name: 'Toys & Games', medianPrice: 22, sigma: 0.6, shipping: 'standard', items: ['Building Blocks', 'Board Game', 'Jigsaw Puzzle', 'Plush Bear', 'RC Car', 'Card Game', 'Science Kit', 'Doll House', 'Train Set', 'Art Set'] },
  { name: 'Grocery', medianPrice: 9, sigma: 0.5, shipping: 'standard', items: ['Coffee Beans', 'Green Tea', 'Olive Oil', 'Dark Chocolate', 'Trail Mix', 'Maple Syrup', 'Pasta Pack', 'Hot Sauce', 'Granola', 'Honey Jar'] },
  { name: 'Jewelry', medianPrice: 85, sigma: 0.9, shipping: 'standard', items: ['Silver Necklace', 'Gold Hoops', 'Charm Bracelet', 'Pearl Earrings', 'Signet Ring', 'Watch', 'Cufflinks', 'Pendant', 'Anklet', 'Brooch'] },
  { name: 'Furniture', medianPrice: 220, sigma: 0.6, shipping: 'bulky', items: ['Office Chair', 'Standing Desk', 'Bookshelf', 'Sofa', 'Coffee Table', 'Bed Frame', 'Dresser', 'Dining Table', 'Armchair', 'TV Stand'] },
  { name: 'Office Supplies', medianPrice: 12, sigma: 0.6, shipping: 'standard', items: ['Notebook Set', 'Gel Pens', 'Desk Organizer', 'Stapler', 'Sticky Notes', 'Planner', 'Label Maker', 'Paper Ream', 'Highlighters', 'File Folders'] },
  { name: 'Pet Supplies', medianPrice: 20, sigma: 0.6, shipping: 'standard', items: ['Dog Bed', 'Cat Tree', 'Chew Toy', 'Pet Shampoo', 'Leash', 'Litter Box', 'Bird Feeder', 'Aquarium Filter', 'Dog Treats', 'Cat Food'] },
];

const BRANDS = ['Acme', 'Northwind', 'Lumen', 'Orbit', 'Apex', 'Cedar & Co', 'Bluefin', 'Halcyon', 'Kestrel', 'Maple Lane', 'Nimbus', 'Pioneer', 'Quartz', 'Redwood', 'Solstice', 'Tundra', 'Vantage', 'Willow', 'Zephyr', 'Everly'];
const LINES = ['', '', '', 'Pro', 'Mini', 'Max', 'Lite', 'Plus', 'II', 'Classic'];

export interface CatalogueProduct {
  /** Index in the catalogue (0-based). */
  index: number;
  product_id: string;
  name: string;
  category: string;
  categoryIndex: number;
  /** List price in integer cents. */
  listCents: number;
  shipping: ShippingClass;
}

/** Round a log-normal draw to a shop-like price: whole dollars minus one cent, at least $0.99. */
function shopPriceCents(dollars: number): number {
  const whole = Math.max(1, Math.round(dollars));
  return whole * 100 - 1;
}

export function buildCatalogue(worldSeed: number, perCategory: number): CatalogueProduct[] {
  if (!Number.isInteger(perCategory) || perCategory < 1 || perCategory > 1000) throw new RangeError('productsPerCategory must be an integer in [1, 1000]');
  const rng = createRng(worldSeed, 'catalogue');
  const out: CatalogueProduct[] = [];
  const names = new Set<string>();
  CATEGORIES.forEach((cat, ci) => {
    for (let j = 0; j < perCategory; j++) {
      const item = cat.items[j % cat.items.length] as string;
      let name = '';
      for (let attempt = 0; attempt < 1000 && (name === '' || names.has(name)); attempt++) {
        const brand = BRANDS[rng.int(BRANDS.length)] as string;
        const line = attempt < 50 ? (LINES[rng.int(LINES.length)] as string) : String(attempt);
        name = line ? `${brand} ${item} ${line}` : `${brand} ${item}`;
      }
      names.add(name);
      const index = out.length;
      out.push({
        index,
        product_id: `sku-${String(index + 1).padStart(5, '0')}`,
        name,
        category: cat.name,
        categoryIndex: ci,
        listCents: shopPriceCents(logNormal(rng, cat.medianPrice, cat.sigma)),
        shipping: cat.shipping,
      });
    }
  });
  return out;
}
