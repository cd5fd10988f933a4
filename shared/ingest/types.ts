/** Types shared by the ingest core, its store adapters and the ingest function. */
import type { DlqReason } from '../contract/types.ts';

/** One document of `orders_fact` (docs: notes/data-shapes.md). `_id` is added by the driver. */
export interface FactDoc {
  order_id: string;
  order_timestamp: Date;
  quantity: number;
  unit_price: number;
  shipping_cost: number;
  tax_amount: number;
  total_amount: number;
  order_status: string;
  customer_id: string;
  product_id: string;
  payment_id: string;
  segment: string;
  state: string;
  city: string;
  payment_method: string;
  payment_status: string;
  processing_ms: number;
  product_name: string;
  product_category: string;
  date_key: string;
  minute_key: string;
  hour: number;
  dow: number;
  extra?: Record<string, unknown>;
  content_hash: string;
  ingested_at: Date;
}

/** A dimension row: `_id` is the natural key; first write wins. */
export interface DimRow {
  _id: string;
  [field: string]: unknown;
}

export interface DimensionRows {
  customers: DimRow[];
  products: DimRow[];
  payments: DimRow[];
}

export interface InsertFactsResult {
  /** order_ids whose fact already existed (duplicate key): those documents were not inserted. */
  duplicates: string[];
}

/**
 * The hot store as the ingest core sees it. Adapters: mongo-store.ts (MongoDB / FerretDB).
 * Every method throws DependencyError (retriable) when the store fails.
 */
export interface IngestStore {
  /** Insert facts, unordered: every new order_id is inserted even when others already exist. */
  insertFacts(docs: FactDoc[]): Promise<InsertFactsResult>;
  /** content_hash of the stored facts of these order_ids (absent ids are absent from the map). */
  factHashes(orderIds: string[]): Promise<Map<string, string>>;
  /** Insert dimension rows; rows whose _id exists are left untouched (first wins). */
  insertDimensions(rows: DimensionRows): Promise<void>;
}

/** What happened to one message. */
export type Outcome = 'accepted' | 'duplicate' | DlqReason;

/** Counts of one ingest call; received = accepted + duplicates + Σ dlq always holds. */
export interface IngestCounts {
  received: number;
  accepted: number;
  duplicates: number;
  /** DLQ records per reason (only reasons that occurred); conflicts are included here too. */
  dlq: Partial<Record<DlqReason, number>>;
  /** Same as dlq.conflict (0 when none), for dashboards. */
  conflicts: number;
}
