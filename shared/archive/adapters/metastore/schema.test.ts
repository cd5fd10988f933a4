/**
 * hive_metastore.thrift (the interface definition we keep) and schema.ts (what the codec uses)
 * must say the same thing: same structs, field ids, names and types; same calls, arguments,
 * return types and exceptions. Parsed here with a small reader for the IDL subset we use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METHODS, STRUCTS } from './schema.ts';

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

const normType = (t: string): string => t.replace(/\s+/g, '');
const norm = (fields: readonly (readonly [number, string, string])[]): Field[] => fields.map(([id, n, t]) => [id, n, normType(t)]);

describe('hive_metastore.thrift and schema.ts agree', () => {
  it('has the same structs with the same field ids, names and types', () => {
    expect(Object.keys(idl.structs).sort()).toEqual(Object.keys(STRUCTS).sort());
    for (const [name, def] of Object.entries(STRUCTS)) {
      expect({ name, kind: idl.structs[name]?.kind, fields: idl.structs[name]?.fields }).toEqual({ name, kind: def.kind, fields: norm(def.fields) });
    }
  });

  it('has the same calls with the same arguments, results and exceptions', () => {
    expect(Object.keys(idl.methods).sort()).toEqual(Object.keys(METHODS).sort());
    for (const [name, def] of Object.entries(METHODS)) {
      expect({ name, ...idl.methods[name] }).toEqual({ name, returns: normType(def.returns), args: norm(def.args), throws: norm(def.throws) });
    }
  });

  it('uses Hive ids that differ from a naive numbering where Hive does (regression guard)', () => {
    // Hive numbers drop_table's MetaException 2 although it is named o3; the Table's catName is 17.
    expect(METHODS.drop_table.throws).toContainEqual([2, 'o3', 'MetaException']);
    expect(STRUCTS.Table.fields).toContainEqual([17, 'catName', 'string']);
    expect(STRUCTS.Partition.fields).toContainEqual([9, 'catName', 'string']);
  });

  it('only refers to structs it defines', () => {
    const known = new Set([...Object.keys(STRUCTS), 'string', 'bool', 'i16', 'i32', 'i64', 'double', 'byte', 'void']);
    const names = (t: string): string[] => t.split(/[<>,\s]+/).filter((s) => s !== '' && s !== 'list' && s !== 'map');
    const all = [
      ...Object.values(STRUCTS).flatMap((s) => s.fields.map((f) => f[2] as string)),
      ...Object.values(METHODS).flatMap((m) => [m.returns as string, ...m.args.map((f) => f[2] as string), ...m.throws.map((f) => f[2] as string)]),
    ];
    for (const t of all) for (const n of names(t)) expect(known.has(n), `${n} in ${t}`).toBe(true);
  });
});
