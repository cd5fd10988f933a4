import { describe, expect, it } from 'vitest';
import { parquetMetadata } from 'hyparquet';
import { InvariantError } from '../platform/errors.ts';
import { toCents } from '../contract/money.ts';
import { archiveFileRowCount, decodeArchiveFile, encodeArchiveFile, PARQUET_SCHEMA } from './parquet.ts';
import { ARCHIVE_COLUMNS, type ArchiveRow } from './schema.ts';
import { buildFacts, rowOf } from './testing/facts.ts';

function edgeRow(): ArchiveRow {
  const base = rowOf(buildFacts(1)[0]!, 'b-edge');
  return {
    ...base,
    order_id: 'ünïcødé-订单-🛒-' + 'x'.repeat(40),
    order_timestamp: new Date('1970-01-01T00:00:00.001Z'),
    quantity: Number.MAX_SAFE_INTEGER,
    unit_price: 0,
    shipping_cost: 0.01,
    tax_amount: 99_999_999_999.99,
    total_amount: 1234567890123.45,
    city: 'São Paulo — "quoted", comma, \n newline',
    product_name: '',
    processing_ms: 1e-3,
    hour: 23,
    dow: 0,
    extra: { nested: { a: [1, 'two', null, true] }, emoji: '😀', big: 9007199254740991 },
    ingested_at: new Date('2999-12-31T23:59:59.999Z'),
    customer_attrs: { loyalty_tier: 'gold' },
    segment: null,
    state: null,
    payment_method: null,
    content_hash: null,
  };
}

describe('archive Parquet encoding', () => {
  it('round-trips typed columns exactly, including unicode, nulls and extreme values', async () => {
    const rows = [edgeRow(), ...buildFacts(50, { seed: 7 }).map((f) => rowOf(f, 'b-edge'))];
    for (const codec of ['SNAPPY', 'GZIP', 'UNCOMPRESSED'] as const) {
      const bytes = encodeArchiveFile(rows, { batchId: 'b-edge', codec });
      expect(archiveFileRowCount(bytes)).toBe(rows.length);
      const back = await decodeArchiveFile(bytes);
      expect(back).toEqual(rows);
    }
  });

  it('keeps money exact to the cent over many rows', async () => {
    const rows = buildFacts(3000, { seed: 3 }).map((f) => rowOf(f));
    const back = await decodeArchiveFile(encodeArchiveFile(rows, { batchId: 'b' }));
    const sum = (rs: ArchiveRow[]): number => rs.reduce((n, r) => n + toCents(r.total_amount), 0);
    expect(sum(back)).toBe(sum(rows));
    expect(back.map((r) => r.unit_price)).toEqual(rows.map((r) => r.unit_price));
  });

  it('writes the declared physical and logical types and the batch metadata', () => {
    const bytes = encodeArchiveFile([rowOf(buildFacts(1)[0]!, 'b-meta')], { batchId: 'b-meta' });
    const md = parquetMetadata(bytes.slice().buffer as ArrayBuffer);
    const byName = new Map(md.schema.map((e) => [e.name, e]));
    expect(byName.get('total_amount')).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 8, converted_type: 'DECIMAL', precision: 18, scale: 2 });
    expect(byName.get('order_timestamp')).toMatchObject({ type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' });
    expect(byName.get('quantity')).toMatchObject({ type: 'INT64', repetition_type: 'REQUIRED' });
    expect(byName.get('segment')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    expect(md.schema.length).toBe(ARCHIVE_COLUMNS.length + 1);
    expect(PARQUET_SCHEMA.length).toBe(md.schema.length);
    expect(md.key_value_metadata).toContainEqual({ key: 'orderpulse.batch_id', value: 'b-meta' });
    expect(md.row_groups[0]?.columns[0]?.meta_data?.codec).toBe('GZIP');
    const stats = (name: string): unknown => md.row_groups[0]?.columns.find((c) => c.meta_data?.path_in_schema[0] === name)?.meta_data?.statistics;
    expect(stats('order_timestamp')).toMatchObject({ null_count: 0n });
    expect(stats('content_hash')).toBeUndefined();
  });

  it('refuses rows that would lose data', () => {
    const ok = rowOf(buildFacts(1)[0]!);
    expect(() => encodeArchiveFile([{ ...ok, order_id: undefined as unknown as string }], { batchId: 'b' })).toThrow(InvariantError);
    expect(() => encodeArchiveFile([{ ...ok, quantity: 1.5 }], { batchId: 'b' })).toThrow(/safe integer/);
    expect(() => encodeArchiveFile([{ ...ok, total_amount: 1e17 }], { batchId: 'b' })).toThrow(/decimal/);
    expect(() => encodeArchiveFile([{ ...ok, hour: 2 ** 31 }], { batchId: 'b' })).toThrow(/32-bit/);
    expect(() => encodeArchiveFile([], { batchId: 'b' })).toThrow(/no rows/);
  });

  it('rejects a Parquet file that is not an archive file', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const other = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2], type: 'INT32' }] }));
    await expect(decodeArchiveFile(other, 'other.parquet')).rejects.toThrow(/other.parquet: column order_id is missing/);
  });
});
