/**
 * The batch analytics, written once in the SQL both DuckDB and Spark SQL accept (CTEs, window
 * functions, CASE, COUNT(DISTINCT), scalar subqueries; no QUALIFY, no FILTER, no engine functions).
 * Input: the relations `hot_orders` and `archived_orders` with ANALYTICS_COLUMNS (columns.ts).
 * Each order counts once: an order in both places (a batch half moved: written to the archive,
 * not yet deleted from the hot store) is taken from the hot store. Money stays exact: DECIMAL sums
 * turned into integer cents in SQL. Rates are computed from the integer counts in TypeScript, so
 * both engines give identical results. Definitions: docs/contracts.md §4 and §10.
 */
import { ANALYTICS_FIELD_NAMES } from './columns.ts';

const COLS = ANALYTICS_FIELD_NAMES.join(', ');

/** Every order once, hot store first. */
const ORDERS_CTE = `orders AS (
  SELECT ${COLS} FROM (
    SELECT ${COLS}, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY src) AS rn
    FROM (
      SELECT ${COLS}, 0 AS src FROM hot_orders
      UNION ALL
      SELECT ${COLS}, 1 AS src FROM archived_orders
    ) u
  ) d
  WHERE rn = 1
)`;

const PAID = `(payment_status = 'success' AND order_status <> 'cancelled')`;
const PAID_ORDERS = `SUM(CASE WHEN ${PAID} THEN 1 ELSE 0 END)`;
const REVENUE_CENTS = `CAST(SUM(CASE WHEN ${PAID} THEN total_amount ELSE 0 END) * 100 AS BIGINT)`;

export const QUERIES = {
  summary: `WITH ${ORDERS_CTE}
SELECT COUNT(*) AS orders, ${PAID_ORDERS} AS paid_orders, ${REVENUE_CENTS} AS revenue_cents,
       COUNT(DISTINCT customer_id) AS unique_customers,
       SUM(CASE WHEN payment_status = 'success' THEN 1 ELSE 0 END) AS payment_success
FROM orders`,
  daily: `WITH ${ORDERS_CTE}
SELECT date_key AS day, COUNT(*) AS orders, ${PAID_ORDERS} AS paid_orders, ${REVENUE_CENTS} AS revenue_cents,
       COUNT(DISTINCT customer_id) AS unique_customers
FROM orders GROUP BY date_key ORDER BY day`,
  categories: `WITH ${ORDERS_CTE}
SELECT product_category AS category, COUNT(*) AS orders,
       SUM(CASE WHEN order_status <> 'cancelled' THEN quantity ELSE 0 END) AS quantity, ${REVENUE_CENTS} AS revenue_cents
FROM orders GROUP BY product_category ORDER BY revenue_cents DESC, category`,
  state_category: `WITH ${ORDERS_CTE}
SELECT state, product_category AS category, COUNT(*) AS orders, ${REVENUE_CENTS} AS revenue_cents
FROM orders GROUP BY state, product_category ORDER BY state, category`,
  payments_daily: `WITH ${ORDERS_CTE}
SELECT date_key AS day, payment_method AS method, COUNT(*) AS attempts,
       SUM(CASE WHEN payment_status = 'failed' THEN 1 ELSE 0 END) AS failed
FROM orders GROUP BY date_key, payment_method ORDER BY day, method`,
  placement: `SELECT (SELECT COUNT(*) FROM hot_orders) AS orders_hot,
       (SELECT COUNT(DISTINCT order_id) FROM archived_orders) AS orders_archived,
       (SELECT COUNT(*) - COUNT(DISTINCT order_id) FROM archived_orders) AS duplicates_archived,
       (SELECT COUNT(*) FROM hot_orders h WHERE h.order_id IN (SELECT order_id FROM archived_orders)) AS in_both`,
} as const;

export type QueryName = keyof typeof QUERIES;
export const QUERY_NAMES = Object.keys(QUERIES) as QueryName[];

/** A result row as an engine returns it: numbers may come back as bigint (DuckDB) or number (Spark via JSON). */
export type Row = Record<string, string | number | bigint | null>;
export type RawResults = Record<QueryName, Row[]>;
