import { describe, expect, it } from 'vitest';
import thrift from 'thrift';
import type { TBinaryProtocol, TBufferedTransport } from 'thrift';
import { parseType, readStruct, writeStruct, TType, type Obj, type Registry } from './codec.ts';
import { decodeReply, encodeCall, MetastoreError } from './rpc.ts';
import { APPLICATION_EXCEPTION, METHODS, STRUCTS, type StructDef } from './schema.ts';
import { DependencyError } from '../../../platform/errors.ts';

function encode(write: (p: TBinaryProtocol) => void): Buffer {
  let out: Buffer = Buffer.alloc(0);
  const t = new thrift.TBufferedTransport(undefined, (m) => {
    out = m;
  });
  const p = new thrift.TBinaryProtocol(t);
  write(p);
  p.flush();
  return out;
}

function transportOf(buf: Buffer): TBufferedTransport {
  let got: TBufferedTransport | undefined;
  thrift.TBufferedTransport.receiver((t) => {
    got = t;
  })(buf);
  if (!got) throw new Error('no transport');
  return got;
}

const roundTrip = (registry: Registry, name: string, obj: Obj, readAs: Registry = registry): Obj => {
  const def = registry[name] as StructDef;
  const bytes = encode((p) => writeStruct(p, registry, name, def.fields, obj));
  return readStruct(new thrift.TBinaryProtocol(transportOf(bytes)), readAs, (readAs[name] as StructDef).fields);
};

const table = {
  tableName: 'orders_fact',
  dbName: 'orderpulse',
  owner: 'orderpulse',
  createTime: 1_795_000_000,
  lastAccessTime: 0,
  retention: 0,
  sd: {
    cols: [
      { name: 'order_id', type: 'string' },
      { name: 'total_amount', type: 'decimal(12,2)', comment: 'money' },
    ],
    location: 'hdfs://127.0.0.1:8020/orderpulse/orders_fact',
    inputFormat: 'in',
    outputFormat: 'out',
    compressed: false,
    numBuckets: -1,
    serdeInfo: { name: '', serializationLib: 'serde', parameters: { 'serialization.format': '1' } },
    bucketCols: [],
    sortCols: [{ col: 'order_id', order: 1 }],
    parameters: {},
  },
  partitionKeys: [{ name: 'dt', type: 'string' }],
  parameters: { EXTERNAL: 'TRUE', 'ünïcode': 'välue ✓' },
  tableType: 'EXTERNAL_TABLE',
  catName: 'hive',
};

describe('parseType', () => {
  it('parses base, list, map and struct types, nested', () => {
    expect(parseType('i16')).toEqual({ k: 'base', name: 'i16', wire: TType.I16 });
    expect(parseType('list<FieldSchema>')).toEqual({ k: 'list', wire: TType.LIST, elem: { k: 'struct', name: 'FieldSchema', wire: TType.STRUCT } });
    const m = parseType('map< list<string>, map<string,i64> >');
    expect(m.k).toBe('map');
    if (m.k === 'map') {
      expect(m.key).toEqual({ k: 'list', wire: TType.LIST, elem: { k: 'base', name: 'string', wire: TType.STRING } });
      expect(m.value.k === 'map' && m.value.value).toEqual({ k: 'base', name: 'i64', wire: TType.I64 });
    }
    expect(() => parseType('set<')).toThrow(/unsupported/);
  });
});

describe('struct codec (TBinaryProtocol)', () => {
  it('round-trips a Table with nested structs, lists, maps and UTF-8 strings', () => {
    expect(roundTrip(STRUCTS, 'Table', table)).toEqual(table);
  });

  it('leaves out undefined and null fields', () => {
    const back = roundTrip(STRUCTS, 'FieldSchema', { name: 'a', type: 'int', comment: undefined });
    expect(back).toEqual({ name: 'a', type: 'int' });
    expect('comment' in back).toBe(false);
  });

  it('skips fields it does not know, as generated Thrift code does (ids the server adds later)', () => {
    const wider: Registry = {
      ...STRUCTS,
      Table: { kind: 'struct', fields: [...STRUCTS.Table.fields, [21, 'colStats', 'map<string,list<i64>>'], [25, 'id', 'i64'], [99, 'flag', 'bool'], [98, 'ratio', 'double']] },
    };
    const back = roundTrip(wider, 'Table', { ...table, colStats: { a: [1, 2, 2 ** 40] }, id: 2 ** 40, flag: true, ratio: 0.5 }, STRUCTS);
    expect(back).toEqual(table);
    // and reading with the wider schema gets them back, i64 beyond 32 bits included
    const full = roundTrip(wider, 'Table', { ...table, colStats: { a: [1, 2, 2 ** 40] }, id: 2 ** 40 }, wider);
    expect(full.id).toBe(2 ** 40);
    expect(full.colStats).toEqual({ a: [1, 2, 2 ** 40] });
  });

  it('skips a known field id that arrives with another wire type', () => {
    const odd: Registry = { X: { kind: 'struct', fields: [[1, 'name', 'i32'], [2, 'type', 'string']] } };
    const bytes = encode((p) => writeStruct(p, odd, 'X', (odd.X as StructDef).fields, { name: 7, type: 'int' }));
    const back = readStruct(new thrift.TBinaryProtocol(transportOf(bytes)), STRUCTS, STRUCTS.FieldSchema.fields);
    expect(back).toEqual({ type: 'int' });
  });

  it('refuses values of the wrong type instead of sending garbage', () => {
    expect(() => encode((p) => writeStruct(p, STRUCTS, 'FieldSchema', STRUCTS.FieldSchema.fields, { name: 42 }))).toThrow(TypeError);
    expect(() => encode((p) => writeStruct(p, STRUCTS, 'Order', STRUCTS.Order.fields, { col: 'a', order: 1.5 }))).toThrow(/i32/);
    expect(() => encode((p) => writeStruct(p, STRUCTS, 'StorageDescriptor', STRUCTS.StorageDescriptor.fields, { cols: 'nope' }))).toThrow(/list/);
  });
});

describe('call and reply messages', () => {
  const reply = (method: string, seqid: number, fields: Obj, mtype = 2): Buffer =>
    encode((p) => {
      p.writeMessageBegin(method, mtype, seqid);
      const def = METHODS[method as keyof typeof METHODS];
      const resultFields = mtype === 3 ? APPLICATION_EXCEPTION.fields : [...(def.returns === 'void' ? [] : [[0, 'success', def.returns] as const]), ...def.throws];
      writeStruct(p, STRUCTS, `${method}_result`, resultFields, fields);
      p.writeMessageEnd();
    });

  it('encodes a strict binary CALL message with the method name and seqid', () => {
    const bytes = encodeCall(STRUCTS, 'get_database', METHODS.get_database, 7, { name: 'db' });
    expect(bytes.readUInt32BE(0)).toBe(0x80010001);
    expect(bytes.readUInt32BE(4)).toBe('get_database'.length);
    expect(bytes.toString('utf8', 8, 8 + 12)).toBe('get_database');
    expect(bytes.readInt32BE(20)).toBe(7);
    // args struct: field 1, type STRING, "db", STOP
    expect([...bytes.subarray(24)]).toEqual([TType.STRING, 0, 1, 0, 0, 0, 2, 0x64, 0x62, 0]);
  });

  it('decodes a success reply', () => {
    const t = transportOf(reply('get_all_databases', 3, { success: ['default', 'orderpulse'] }));
    expect(decodeReply(STRUCTS, t, 'get_all_databases', METHODS.get_all_databases, 3)).toEqual(['default', 'orderpulse']);
  });

  it('decodes a void reply as undefined', () => {
    const t = transportOf(reply('create_database', 4, {}));
    expect(decodeReply(STRUCTS, t, 'create_database', METHODS.create_database, 4)).toBeUndefined();
  });

  it('turns a declared exception into MetastoreError naming it (logical errors not retriable, MetaException retriable)', () => {
    const t1 = transportOf(reply('get_database', 5, { o1: { message: 'database hive.x not found' } }));
    const e1 = (() => {
      try {
        decodeReply(STRUCTS, t1, 'get_database', METHODS.get_database, 5);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(e1).toBeInstanceOf(MetastoreError);
    expect(e1).toBeInstanceOf(DependencyError);
    expect((e1 as MetastoreError).exception).toBe('NoSuchObjectException');
    expect((e1 as MetastoreError).retriable).toBe(false);
    expect((e1 as MetastoreError).message).toContain('database hive.x not found');

    const t2 = transportOf(reply('drop_table', 6, { o3: { message: 'busy' } }));
    expect(() => decodeReply(STRUCTS, t2, 'drop_table', METHODS.drop_table, 6)).toThrow(expect.objectContaining({ exception: 'MetaException', retriable: true }));
  });

  it('turns a TApplicationException message into MetastoreError', () => {
    const t = transportOf(reply('get_table_req', 8, { message: "Invalid method name: 'get_table_req'", type: 1 }, 3));
    expect(() => decodeReply(STRUCTS, t, 'get_table_req', METHODS.get_table_req, 8)).toThrow(/TApplicationException: Invalid method name/);
  });

  it('rejects a reply for another call', () => {
    const t = transportOf(reply('get_all_databases', 9, { success: [] }));
    expect(() => decodeReply(STRUCTS, t, 'get_all_databases', METHODS.get_all_databases, 10)).toThrow(/unexpected reply/);
  });

  it('signals an incomplete reply with InputBufferUnderrunError so the caller waits for more bytes', () => {
    const full = reply('get_partitions', 11, { success: [{ values: ['2026-11-24'], dbName: 'd', tableName: 't', sd: table.sd, parameters: {} }] });
    let seen: unknown;
    let value: unknown;
    const receive = thrift.TBufferedTransport.receiver((t) => {
      try {
        value = decodeReply(STRUCTS, t, 'get_partitions', METHODS.get_partitions, 11);
      } catch (e) {
        seen = e;
        t.rollbackPosition();
      }
    });
    receive(full.subarray(0, 40));
    expect(seen).toBeInstanceOf(thrift.InputBufferUnderrunError);
    expect(value).toBeUndefined();
    receive(full.subarray(40));
    expect(value).toEqual([{ values: ['2026-11-24'], dbName: 'd', tableName: 't', sd: table.sd, parameters: {} }]);
  });
});
