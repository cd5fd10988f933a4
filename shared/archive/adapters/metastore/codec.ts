/**
 * A small schema-driven Thrift codec: writes and reads plain objects as Thrift structs through
 * the `thrift` package's TBinaryProtocol, using the field tables of schema.ts. Fields that are
 * undefined/null are not sent; fields the schema does not know (or whose wire type differs) are
 * skipped when reading, as Thrift's generated code does.
 */
import type { TBinaryProtocol } from 'thrift';
import type { FieldDef, StructDef } from './schema.ts';

/** Thrift wire type ids (TType). */
export const TType = { STOP: 0, BOOL: 2, BYTE: 3, DOUBLE: 4, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, MAP: 13, SET: 14, LIST: 15 } as const;

export type ParsedType =
  | { k: 'base'; name: 'bool' | 'byte' | 'i16' | 'i32' | 'i64' | 'double' | 'string'; wire: number }
  | { k: 'list'; elem: ParsedType; wire: number }
  | { k: 'map'; key: ParsedType; value: ParsedType; wire: number }
  | { k: 'struct'; name: string; wire: number };

const BASE: Record<string, number> = { bool: TType.BOOL, byte: TType.BYTE, i16: TType.I16, i32: TType.I32, i64: TType.I64, double: TType.DOUBLE, string: TType.STRING };

const cache = new Map<string, ParsedType>();

/** Parse a Thrift type expression: `string`, `list<FieldSchema>`, `map<string,string>`, a struct name. */
export function parseType(expr: string): ParsedType {
  const key = expr.replace(/\s+/g, '');
  const hit = cache.get(key);
  if (hit) return hit;
  let out: ParsedType;
  const base = BASE[key];
  if (base !== undefined) {
    out = { k: 'base', name: key as 'string', wire: base };
  } else if (key.startsWith('list<') && key.endsWith('>')) {
    out = { k: 'list', elem: parseType(key.slice(5, -1)), wire: TType.LIST };
  } else if (key.startsWith('map<') && key.endsWith('>')) {
    const inner = key.slice(4, -1);
    let depth = 0;
    let comma = -1;
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (c === '<') depth++;
      else if (c === '>') depth--;
      else if (c === ',' && depth === 0) {
        comma = i;
        break;
      }
    }
    if (comma < 0) throw new Error(`bad map type: ${expr}`);
    out = { k: 'map', key: parseType(inner.slice(0, comma)), value: parseType(inner.slice(comma + 1)), wire: TType.MAP };
  } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    out = { k: 'struct', name: key, wire: TType.STRUCT };
  } else {
    throw new Error(`unsupported Thrift type: ${expr}`);
  }
  cache.set(key, out);
  return out;
}

export type Registry = Readonly<Record<string, StructDef>>;
export type Obj = Record<string, unknown>;

function structOf(registry: Registry, name: string): StructDef {
  const s = registry[name];
  if (!s) throw new Error(`unknown Thrift struct ${name}`);
  return s;
}

function fail(what: string, value: unknown): never {
  throw new TypeError(`cannot encode ${JSON.stringify(value)} as ${what}`);
}

function writeValue(p: TBinaryProtocol, registry: Registry, t: ParsedType, v: unknown): void {
  switch (t.k) {
    case 'base':
      switch (t.name) {
        case 'bool':
          if (typeof v !== 'boolean') fail('bool', v);
          return p.writeBool(v);
        case 'string':
          if (typeof v !== 'string') fail('string', v);
          return p.writeString(v);
        case 'double':
          if (typeof v !== 'number') fail('double', v);
          return p.writeDouble(v);
        default:
          if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(t.name, v);
          if (t.name === 'byte') return p.writeByte(v);
          if (t.name === 'i16') return p.writeI16(v);
          if (t.name === 'i32') return p.writeI32(v);
          return p.writeI64(v);
      }
    case 'list': {
      if (!Array.isArray(v)) fail('list', v);
      p.writeListBegin(t.elem.wire, v.length);
      for (const e of v) writeValue(p, registry, t.elem, e);
      return p.writeListEnd();
    }
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('map', v);
      const entries = Object.entries(v as Obj).filter(([, x]) => x !== undefined);
      p.writeMapBegin(t.key.wire, t.value.wire, entries.length);
      for (const [k, x] of entries) {
        writeValue(p, registry, t.key, t.key.k === 'base' && t.key.name !== 'string' ? Number(k) : k);
        writeValue(p, registry, t.value, x);
      }
      return p.writeMapEnd();
    }
    case 'struct':
      if (typeof v !== 'object' || v === null) fail(t.name, v);
      return writeStruct(p, registry, t.name, structOf(registry, t.name).fields, v as Obj);
  }
}

/** Write `obj` as a struct with the given fields (undefined and null fields are left out). */
export function writeStruct(p: TBinaryProtocol, registry: Registry, name: string, fields: readonly FieldDef[], obj: Obj): void {
  p.writeStructBegin(name);
  for (const [id, fname, type] of fields) {
    const v = obj[fname];
    if (v === undefined || v === null) continue;
    const t = parseType(type);
    p.writeFieldBegin(fname, t.wire, id);
    writeValue(p, registry, t, v);
    p.writeFieldEnd();
  }
  p.writeFieldStop();
  p.writeStructEnd();
}

function readValue(p: TBinaryProtocol, registry: Registry, t: ParsedType): unknown {
  switch (t.k) {
    case 'base':
      switch (t.name) {
        case 'bool':
          return p.readBool();
        case 'byte':
          return p.readByte();
        case 'i16':
          return p.readI16();
        case 'i32':
          return p.readI32();
        case 'i64':
          return p.readI64().toNumber(true);
        case 'double':
          return p.readDouble();
        case 'string':
          return p.readString();
      }
      break;
    case 'list': {
      const { etype, size } = p.readListBegin();
      const out: unknown[] = [];
      for (let i = 0; i < size; i++) out.push(etype === t.elem.wire ? readValue(p, registry, t.elem) : skipValue(p, etype));
      p.readListEnd();
      return out;
    }
    case 'map': {
      const { ktype, vtype, size } = p.readMapBegin();
      const out: Obj = {};
      for (let i = 0; i < size; i++) {
        const k = ktype === t.key.wire ? readValue(p, registry, t.key) : skipValue(p, ktype);
        const v = vtype === t.value.wire ? readValue(p, registry, t.value) : skipValue(p, vtype);
        if (k !== undefined) out[String(k)] = v;
      }
      p.readMapEnd();
      return out;
    }
    case 'struct':
      return readStruct(p, registry, structOf(registry, t.name).fields);
  }
  return undefined;
}

function skipValue(p: TBinaryProtocol, wire: number): undefined {
  p.skip(wire);
  return undefined;
}

/** Read a struct; known fields by name, unknown or mistyped ones skipped. */
export function readStruct(p: TBinaryProtocol, registry: Registry, fields: readonly FieldDef[]): Obj {
  const byId = new Map<number, { name: string; t: ParsedType }>();
  for (const [id, name, type] of fields) byId.set(id, { name, t: parseType(type) });
  const out: Obj = {};
  p.readStructBegin();
  for (;;) {
    const { ftype, fid } = p.readFieldBegin();
    if (ftype === TType.STOP) break;
    const f = byId.get(fid);
    if (f && f.t.wire === ftype) out[f.name] = readValue(p, registry, f.t);
    else p.skip(ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
  return out;
}
