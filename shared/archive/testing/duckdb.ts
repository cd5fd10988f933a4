/**
 * Independent read-back with DuckDB (not our Parquet code): count, id set and sums of the archive
 * files under a local directory. Test and benchmark support only (@duckdb/node-api is a dev dependency).
 */
import { DuckDBInstance } from '@duckdb/node-api';

export interface DuckSummary {
  rows: number;
  distinct_ids: number;
  ids: string[];
  total_cents: number;
  quantity: number;
  dts: string[];
  types: Record<string, string>;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Read every `part-*.parquet` under `<root>/orders_fact/dt=*` with hive partitioning. */
export async function duckSummary(root: string): Promise<DuckSummary> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const src = `read_parquet(${sqlString(`${root}/orders_fact/dt=*/part-*.parquet`)}, hive_partitioning = true)`;
    const agg = await conn.runAndReadAll(
      `select count(*)::BIGINT as n, count(distinct order_id)::BIGINT as d, coalesce(sum(total_amount), 0)::DECIMAL(38,2)::VARCHAR as total, coalesce(sum(quantity), 0)::BIGINT as q from ${src}`,
    );
    const [n, d, total, q] = agg.getRows()[0] as [bigint, bigint, string, bigint];
    const ids = (await conn.runAndReadAll(`select order_id from ${src} order by order_id`)).getRows().map((r) => String(r[0]));
    const dts = (await conn.runAndReadAll(`select distinct dt::VARCHAR from ${src} order by 1`)).getRows().map((r) => String(r[0]));
    const desc = (await conn.runAndReadAll(`describe select * from ${src}`)).getRows();
    const types: Record<string, string> = {};
    for (const r of desc) types[String(r[0])] = String(r[1]);
    const [whole = '0', frac = '0'] = total.split('.');
    const cents = Number(BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2)));
    return { rows: Number(n), distinct_ids: Number(d), ids, total_cents: cents, quantity: Number(q), dts, types };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
