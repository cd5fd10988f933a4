/**
 * hive_metastore.thrift (the interface definition we keep; the client is generated from it) and
 * the code around the generated client must say the same thing: the calls generated.ts types and
 * client.ts makes, the exceptions rpc.ts maps, and Hive's own field ids where they are unusual.
 * Parsed here with a small reader for the IDL subset we use. (rpc.test.ts checks the structs'
 * fields by round trips through the generated code.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CALLS } from './generated.ts';
import { DECLARED_EXCEPTIONS } from './rpc.ts';

type Field = [number, string, string];

function stripComments(src: string): string {
  return src.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** `1: optional list<string> name = -1` -> [1, 'name', 'list<string>'] */
function parseFields(body: string): Field[] {
  const out: Field[] = [];
  // Split on commas that are not inside <...>.
  let depth = 0;
  let cur = '';
  const parts: string[] = [];
  for (const c of body) {
    if (c === '<') depth++;
    if (c === '>') depth--;
    if ((c === ',' || c === '\n') && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') continue;
    const m = /^(\d+)\s*:\s*(?:(?:optional|required)\s+)?(.+?)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*[^,]+)?$/.exec(p);
    if (!m) throw new Error(`cannot parse field: ${p}`);
    out.push([Number(m[1]), m[3] as string, (m[2] as string).replace(/\s+/g, '')]);
  }
  return out;
}

function parseIdl(src: string): { structs: Record<string, { kind: string; fields: Field[] }>; methods: Record<string, { returns: string; args: Field[]; throws: Field[] }> } {
  const text = stripComments(src);
  const structs: Record<string, { kind: string; fields: Field[] }> = {};
  for (const m of text.matchAll(/\b(struct|exception)\s+([A-Za-z_]\w*)\s*\{([^}]*)\}/g)) {
    structs[m[2] as string] = { kind: m[1] as string, fields: parseFields(m[3] as string) };
  }
  const svc = /\bservice\s+\w+\s*\{([\s\S]*)\}/.exec(text);
  if (!svc) throw new Error('no service');
  const methods: Record<string, { returns: string; args: Field[]; throws: Field[] }> = {};
  for (const m of (svc[1] as string).matchAll(/([A-Za-z_][\w<>, ]*?)\s+([a-z_]\w*)\s*\(([^)]*)\)\s*(?:throws\s*\(([^)]*)\))?/g)) {
    methods[m[2] as string] = { returns: (m[1] as string).replace(/\s+/g, ''), args: parseFields(m[3] as string), throws: parseFields(m[4] ?? '') };
  }
  return { structs, methods };
}

const idlFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hive_metastore.thrift');
const idl = parseIdl(fs.readFileSync(idlFile, 'utf8'));

const field = (fields: Field[] | undefined, id: number): Field | undefined => fields?.find((f) => f[0] === id);

describe('hive_metastore.thrift and the code around the generated client agree', () => {
  it('declares exactly the calls the client makes (a subset of Hive: nothing we do not use)', () => {
    expect(Object.keys(idl.methods).sort()).toEqual([...CALLS].sort());
  });

  it('declares exactly the exceptions rpc.ts maps to MetastoreError, and the calls throw only those', () => {
    const exceptions = Object.entries(idl.structs).filter(([, s]) => s.kind === 'exception').map(([n]) => n);
    expect(exceptions.sort()).toEqual([...DECLARED_EXCEPTIONS].sort());
    for (const [name, m] of Object.entries(idl.methods)) for (const t of m.throws) expect(DECLARED_EXCEPTIONS.has(t[2]), `${name} throws ${t[2]}`).toBe(true);
  });

  it('uses Hive ids that differ from a naive numbering where Hive does (regression guard)', () => {
    // Hive numbers drop_table's MetaException 2 although it is named o3; the Table's catName is 17.
    expect(idl.methods.drop_table?.throws).toContainEqual([2, 'o3', 'MetaException']);
    expect(field(idl.structs.Table?.fields, 17)).toEqual([17, 'catName', 'string']);
    expect(field(idl.structs.Partition?.fields, 9)).toEqual([9, 'catName', 'string']);
    expect(field(idl.structs.Database?.fields, 8)).toEqual([8, 'catalogName', 'string']);
    expect(idl.methods.get_table_req?.args).toEqual([[1, 'req', 'GetTableRequest']]);
    expect(idl.methods.get_partitions?.args).toContainEqual([3, 'max_parts', 'i16']);
  });

  it('only refers to structs it defines', () => {
    const known = new Set([...Object.keys(idl.structs), 'string', 'bool', 'i16', 'i32', 'i64', 'double', 'byte', 'void']);
    const names = (t: string): string[] => t.split(/[<>,\s]+/).filter((s) => s !== '' && s !== 'list' && s !== 'map');
    const all = [
      ...Object.values(idl.structs).flatMap((s) => s.fields.map((f) => f[2])),
      ...Object.values(idl.methods).flatMap((m) => [m.returns, ...m.args.map((f) => f[2]), ...m.throws.map((f) => f[2])]),
    ];
    for (const t of all) for (const n of names(t)) expect(known.has(n), `${n} in ${t}`).toBe(true);
  });
});
