/**
 * Parquet encoding and decoding of archive files (hyparquet-writer / hyparquet, pure JS).
 * The schema comes from schema.ts (the order contract's columns); money is written as exact DECIMAL(18,2) from integer cents
 * and read back to cents exactly (hyparquet's decimal conversion multiplies by 0.01, which is
 * not exact in binary floating point, so the decoder re-rounds to cents).
 */
import { gzipSync } from 'node:zlib';
import { ByteWriter, parquetWrite, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors as readCompressors } from 'hyparquet-compressors';
import { fromCents, MONEY_PRECISION, MONEY_SCALE, toCents } from '../contract/money.ts';
import { InvariantError, ValidationError } from '../platform/errors.ts';
import { ARCHIVE_COLUMNS, ARCHIVE_SCHEMA_VERSION, type ArchiveColumn, type ArchiveRow } from './schema.ts';

/** Codecs we write: GZIP (node:zlib) or SNAPPY (built into hyparquet-writer); every Parquet reader accepts both. */
export type ArchiveCodec = 'SNAPPY' | 'GZIP' | 'UNCOMPRESSED';

export interface EncodeOptions {
  batchId: string;
  codec?: ArchiveCodec;
  /** Rows per row group (default 100 000). */
  rowGroupSize?: number;
}

/**
 * The codec the archive uses unless told otherwise. Measured on 50 000 generator orders
 * (docs/archive.md): GZIP 59 B/row vs SNAPPY 98 B/row, same encode and decode time here; cold
 * data is read rarely, so the smaller files win.
 */
export const DEFAULT_CODEC: ArchiveCodec = 'GZIP';

/** Bytes of a two's-complement integer holding 10^18 - 1 (the DECIMAL(18,2) money columns). */
export const MONEY_BYTES = 8;

function schemaElement(col: ArchiveColumn): SchemaElement {
  const repetition_type = col.required ? 'REQUIRED' : 'OPTIONAL';
  switch (col.kind) {
    case 'string':
    case 'json':
      return { name: col.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'timestamp':
      return {
        name: col.name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    case 'money':
      return {
        name: col.name,
        type: 'FIXED_LEN_BYTE_ARRAY',
        type_length: MONEY_BYTES,
        converted_type: 'DECIMAL',
        logical_type: { type: 'DECIMAL', precision: MONEY_PRECISION, scale: MONEY_SCALE },
        precision: MONEY_PRECISION,
        scale: MONEY_SCALE,
        repetition_type,
      };
    case 'int64':
      return { name: col.name, type: 'INT64', repetition_type };
    case 'int32':
      return { name: col.name, type: 'INT32', repetition_type };
    case 'double':
      return { name: col.name, type: 'DOUBLE', repetition_type };
  }
}

export const PARQUET_SCHEMA: SchemaElement[] = [{ name: 'schema', num_children: ARCHIVE_COLUMNS.length }, ...ARCHIVE_COLUMNS.map(schemaElement)];

const MAX_CENTS = 10n ** BigInt(MONEY_PRECISION) - 1n;

function cellOf(col: ArchiveColumn, row: ArchiveRow): unknown {
  const v = (row as unknown as Record<string, unknown>)[col.name];
  if (v === null || v === undefined) {
    if (col.required) throw new InvariantError(`archive row ${row.order_id ?? '?'}: required column ${col.name} is missing`);
    return null;
  }
  switch (col.kind) {
    case 'string':
      if (typeof v !== 'string') throw new InvariantError(`archive row ${row.order_id}: ${col.name} must be a string`);
      return v;
    case 'json':
      return JSON.stringify(v);
    case 'timestamp': {
      const d = v instanceof Date ? v : new Date(v as string);
      if (Number.isNaN(d.getTime())) throw new InvariantError(`archive row ${row.order_id}: ${col.name} is not a valid time`);
      return d;
    }
    case 'money': {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvariantError(`archive row ${row.order_id}: ${col.name} must be a finite number`);
      const cents = BigInt(toCents(v));
      if (cents > MAX_CENTS || cents < -MAX_CENTS) throw new InvariantError(`archive row ${row.order_id}: ${col.name}=${v} exceeds decimal(${MONEY_PRECISION},${MONEY_SCALE})`);
      return cents;
    }
    case 'int64':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvariantError(`archive row ${row.order_id}: ${col.name} must be a safe integer`);
      return BigInt(v);
    case 'int32':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new InvariantError(`archive row ${row.order_id}: ${col.name} must be a 32-bit integer`);
      return v;
    case 'double':
      if (typeof v !== 'number') throw new InvariantError(`archive row ${row.order_id}: ${col.name} must be a number`);
      return v;
  }
}

/** Encode rows (any order; callers sort) into one Parquet file. */
export function encodeArchiveFile(rows: readonly ArchiveRow[], options: EncodeOptions): Uint8Array {
  if (rows.length === 0) throw new ValidationError('empty_file', 'refusing to write an archive file with no rows');
  const codec = options.codec ?? DEFAULT_CODEC;
  const columnData: ColumnSource[] = ARCHIVE_COLUMNS.map((col: ArchiveColumn) => ({
    name: col.name,
    data: rows.map((r) => cellOf(col, r)),
    ...(col.stats === false ? { statistics: false } : {}),
  }));
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData,
    schema: PARQUET_SCHEMA,
    codec,
    compressors: codec === 'GZIP' ? { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b, { level: 6 })) } : undefined,
    rowGroupSize: options.rowGroupSize ?? 100_000,
    statistics: true,
    createdBy: 'orderpulse archive-move (hyparquet-writer)',
    kvMetadata: [
      { key: 'orderpulse.schema_version', value: ARCHIVE_SCHEMA_VERSION },
      { key: 'orderpulse.batch_id', value: options.batchId },
    ],
  });
  return new Uint8Array(writer.getBuffer());
}

function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function decodeCell(col: ArchiveColumn, v: unknown, where: string): unknown {
  if (v === null || v === undefined) {
    if (col.required) throw new InvariantError(`${where}: required column ${col.name} is null`);
    return null;
  }
  switch (col.kind) {
    case 'string':
      return String(v);
    case 'json':
      return JSON.parse(String(v)) as Record<string, unknown>;
    case 'timestamp':
      return v instanceof Date ? v : new Date(Number(v));
    case 'money':
      return fromCents(toCents(Number(v)));
    case 'int64':
    case 'int32':
    case 'double':
      return Number(v);
  }
}

/** Number of rows recorded in the file footer (cheap: metadata only). */
export function archiveFileRowCount(bytes: Uint8Array): number {
  return Number(parquetMetadata(asArrayBuffer(bytes)).num_rows);
}

/** Decode a whole archive file. Throws InvariantError when the file does not have the archive schema. */
export async function decodeArchiveFile(bytes: Uint8Array, where = 'archive file'): Promise<ArchiveRow[]> {
  const file = asArrayBuffer(bytes);
  const metadata = parquetMetadata(file);
  const names = metadata.schema.slice(1).map((e) => e.name);
  for (const col of ARCHIVE_COLUMNS) if (!names.includes(col.name)) throw new InvariantError(`${where}: column ${col.name} is missing (not an archive file of schema ${ARCHIVE_SCHEMA_VERSION}?)`);
  const raw = (await parquetReadObjects({ file, metadata, compressors: readCompressors })) as Record<string, unknown>[];
  return raw.map((r) => {
    const out: Record<string, unknown> = {};
    for (const col of ARCHIVE_COLUMNS) out[col.name] = decodeCell(col, r[col.name], where);
    return out as unknown as ArchiveRow;
  });
}
