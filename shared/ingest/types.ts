/** Types shared by the ingest core, its store adapters and the ingest function. */
import type { DIMENSIONS, FactDoc, RowDimension } from '../contract/order.ts';
import type { DlqReason } from '../contract/types.ts';

/** One document of `orders_fact`, declared by the order contract (shared/contract/order.ts). */
export type { FactDoc } from '../contract/order.ts';

/** A dimension row: `_id` is the natural key; first write wins. */
export interface DimRow {
  _id: string;
  [field: string]: unknown;
}

/**
 * New rows of each dimension that has rows (`customers`, `products`); payments are folded into
 * the fact (shared/contract/order.ts FOLDED_DIMENSIONS), ingest writes no payment rows.
 */
export type DimensionRows = { [D in RowDimension as (typeof DIMENSIONS)[D]['rows']]: DimRow[] };

export interface InsertFactsResult {
  /** order_ids whose fact already existed (duplicate key): those documents were not inserted. */
  duplicates: string[];
}

/** An order_id with the content hash of its winning event, as the registry records it. */
export interface RegistryEntry {
  order_id: string;
  content_hash: string;
}

/** What the store knows of a registered order_id. */
export interface Registered {
  /** The winning content's hash, as the registry recorded it. */
  content_hash: string;
  /**
   * true: archive-move has taken it (`order_ids_archived`), its fact is or will be deleted.
   * false: its fact is hot, or missing (a crash between the registry insert and the fact insert);
   * the core tells which by inserting the winner's fact: the unique order_id index rejects a hot
   * one, and a missing one is healed by that insert. (No read of orders_fact: on FerretDB a query
   * on order_id scans the whole collection.)
   */
  archived: boolean;
}

/**
 * The hot store as the ingest core sees it. Adapters: mongo-store.ts (MongoDB / FerretDB).
 * Every method throws DependencyError (retriable) when the store fails.
 */
export interface IngestStore {
  /**
   * Insert order_ids into the never-archived registry (`order_ids`), unordered. The registry is
   * the uniqueness check: an order_id is new exactly when this insert succeeds for it.
   */
  registerOrders(entries: RegistryEntry[]): Promise<InsertFactsResult>;
  /**
   * Registered order_ids: their winning hash and whether they are archived (absent ids are absent
   * from the map). Reads the registry and the archived marks by `_id`, never orders_fact.
   */
  registered(orderIds: string[]): Promise<Map<string, Registered>>;
  /** Insert facts, unordered: every new order_id is inserted even when others already exist. */
  insertFacts(docs: FactDoc[]): Promise<InsertFactsResult>;
  /** content_hash of the stored facts of these order_ids (absent ids are absent from the map; a store not migrated: see ingest.ts). */
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
