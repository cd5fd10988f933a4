import { describe, expect, it } from 'vitest';
import { ORDER_FIELDS } from '../contract/order.ts';
import { PARQUET_SCHEMA } from './parquet.ts';
import { ARCHIVE_COLUMNS } from './schema.ts';
import { HIVE_COLUMNS, ordersTableDef } from './table.ts';
import { LocalStorage } from './adapters/local-storage.ts';

/**
 * Existing archive files and the Hive table depend on these exact columns: a change here is a
 * schema change (bump ARCHIVE_SCHEMA_VERSION and say how old files are read).
 */
const PINNED = `
order_id string required stats|order_timestamp timestamp required stats|quantity int64 required stats
unit_price money required stats|shipping_cost money required stats|tax_amount money required stats|total_amount money required stats
order_status string required stats|customer_id string required stats|product_id string required stats|payment_id string required stats
segment string optional stats|state string optional stats|city string optional nostats|payment_method string optional stats
payment_status string optional stats|processing_ms double optional stats|product_name string optional nostats|product_category string optional stats
date_key string required stats|minute_key string optional nostats|hour int32 optional stats|dow int32 optional stats
extra json optional nostats|content_hash string optional nostats|ingested_at timestamp optional stats
customer_attrs json optional nostats|product_attrs json optional nostats|payment_attrs json optional nostats|batch_id string required stats`;

const HIVE = `
order_id string|order_timestamp timestamp|quantity bigint|unit_price decimal(18,2)|shipping_cost decimal(18,2)|tax_amount decimal(18,2)
total_amount decimal(18,2)|order_status string|customer_id string|product_id string|payment_id string|segment string|state string
city string|payment_method string|payment_status string|processing_ms double|product_name string|product_category string|date_key string
minute_key string|hour int|dow int|extra string|content_hash string|ingested_at timestamp|customer_attrs string|product_attrs string
payment_attrs string|batch_id string`;

const split = (s: string): string[] => s.trim().split(/[|\n]/);

describe('archive schema (derived from the order contract)', () => {
  it('has the pinned columns, kinds, nullability and statistics', () => {
    expect(ARCHIVE_COLUMNS.map((c) => `${c.name} ${c.kind} ${c.required ? 'required' : 'optional'} ${c.stats === false ? 'nostats' : 'stats'}`)).toEqual(split(PINNED));
  });

  it('starts with every contract field, in the contract order', () => {
    expect(ARCHIVE_COLUMNS.slice(0, ORDER_FIELDS.length).map((c) => c.name)).toEqual(ORDER_FIELDS.map((f) => f.name));
  });

  it('gives Hive and Parquet the same columns in the same order', () => {
    expect(HIVE_COLUMNS.map((c) => `${c.name} ${c.type}`)).toEqual(split(HIVE));
    const def = ordersTableDef(new LocalStorage('/tmp/orderpulse-schema-test'));
    expect(def.columns).toEqual(HIVE_COLUMNS);
    expect(def.partitionKeys).toEqual([{ name: 'dt', type: 'string' }]);
    expect(PARQUET_SCHEMA.slice(1).map((e) => e.name)).toEqual(ARCHIVE_COLUMNS.map((c) => c.name));
  });
});
