/**
 * A real analytics engine for the quality tests, until the shared engine factory
 * (shared/analytics/adapters/open.ts) is merged: DuckDB in process running the SQL of
 * shared/analytics/queries.ts over `hot_orders` read from the real MongoDB orders_fact and
 * `archived_orders` given by the test (rows of the same columns; e.g. hot rows again, as in a
 * batch half moved). The pattern of shared/analytics/queries.test.ts.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { ANALYTICS_COLUMNS, ANALYTICS_FIELD_NAMES, DUCKDB_TYPES, columnsDdl } from '../shared/analytics/columns.ts';
import type { AnalyticsEngine } from '../shared/analytics/engine.ts';
import type { QueryName, RawResults, Row } from '../shared/analytics/queries.ts';
import { connectMongo, COLLECTIONS } from '../shared/adapters/mongo.ts';
import { formatCents, toCents } from '../shared/contract/money.ts';
import type { Config } from '../shared/platform/config.ts';

export type AnalyticsRow = Record<(typeof ANALYTICS_FIELD_NAMES)[number], string | number>;

function literal(kind: string, v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (kind === 'money') return formatCents(toCents(Number(v)));
  if (typeof v === 'number') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

async function hotRows(config: Config): Promise<AnalyticsRow[]> {
  const mongo = await connectMongo(config);
  try {
    const projection = Object.fromEntries([['_id', 0], ...ANALYTICS_FIELD_NAMES.map((n) => [n, 1])]);
    return (await mongo.db.collection(COLLECTIONS.fact).find({}, { projection }).toArray()) as unknown as AnalyticsRow[];
  } finally {
    await mongo.close();
  }
}

export function testDuckDbEngine(config: Config, archived: () => AnalyticsRow[] = () => []): AnalyticsEngine {
  return {
    name: 'duckdb',
    async run(queries: Record<QueryName, string>): Promise<RawResults> {
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      try {
        for (const [table, rows] of [['hot_orders', await hotRows(config)], ['archived_orders', archived()]] as const) {
          await conn.run(`CREATE TABLE ${table} (${columnsDdl(DUCKDB_TYPES)})`);
          for (let i = 0; i < rows.length; i += 1000) {
            const values = rows.slice(i, i + 1000).map((r) => `(${ANALYTICS_COLUMNS.map((c) => literal(c.kind, r[c.name])).join(', ')})`);
            await conn.run(`INSERT INTO ${table} VALUES ${values.join(', ')}`);
          }
        }
        const out = {} as RawResults;
        for (const [name, sql] of Object.entries(queries) as [QueryName, string][]) out[name] = (await conn.runAndReadAll(sql)).getRowObjects() as Row[];
        return out;
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    },
    async close() {},
  };
}

/** The hot store's rows as the engine reads them (to seed `archived_orders` in a test). */
export const readHotRows = hotRows;
