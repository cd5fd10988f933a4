/**
 * Canonical JSON and the content hash of an event.
 *
 * Canonical form: no whitespace; object keys sorted recursively by UTF-16 code unit order
 * (the default `Array.prototype.sort` order, identical to sorting by code point for the BMP);
 * arrays keep their order; strings and numbers are written exactly as `JSON.stringify` writes
 * them (shortest round-trip numbers, `-0` as `0`). Two events are "the same content" when their
 * canonical forms are equal, whatever the key order or whitespace of the bytes that carried them.
 *
 * The canonical JSON of an accepted event is also the value ingest sends to `orders.accepted`,
 * so the hash is computed from the exact string consumers receive.
 */
import { hash } from 'node:crypto';

/** Canonical JSON of a value made of JSON types only (as produced by `JSON.parse`). */
export function canonicalJson(value: unknown): string {
  // Fast path: copy with keys inserted in sorted order, then one native JSON.stringify.
  // Integer-like keys ("7", "10") are always enumerated first in numeric order by JS engines,
  // so objects holding them are serialised by hand instead.
  const copy = sortedCopy(value);
  return copy === UNSORTABLE ? serialise(value) : JSON.stringify(copy);
}

/**
 * Canonical JSON of a value whose objects are already known to enumerate their keys in sorted
 * order (the validator reports that): the native serialisation already is canonical.
 */
export function canonicalJsonOfSorted(value: unknown): string {
  return JSON.stringify(value);
}

const UNSORTABLE = Symbol('unsortable');

/** True for keys JS engines enumerate as array indices (canonical integers 0 … 2^32−2). */
export function isIndexLikeKey(k: string): boolean {
  if (k.length === 0) return false;
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  if (k.length > 10 || (k.length > 1 && c === 48)) return false;
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(k) < 4294967295;
}

function sortedCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = sortedCopy(v[i]);
      if (c === UNSORTABLE) return UNSORTABLE;
      out[i] = c;
    }
    return out;
  }
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src).sort();
  // Entries, not assignment: a "__proto__" key stays an own data property.
  const entries: [string, unknown][] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (isIndexLikeKey(k)) return UNSORTABLE;
    const c = sortedCopy(src[k]);
    if (c === UNSORTABLE) return UNSORTABLE;
    entries[i] = [k, c];
  }
  return Object.fromEntries(entries);
}

/** The reference serialiser (used when integer-like keys make the fast path impossible). */
function serialise(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify writes non-finite numbers as null; JSON.parse never produces them.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += serialise(value[i]);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        if (i > 0) out += ',';
        out += JSON.stringify(k) + ':' + serialise(obj[k]);
      }
      return out + '}';
    }
    default:
      // undefined, functions, symbols, bigint: not JSON. Never reached for JSON.parse output.
      throw new TypeError(`canonicalJson: ${typeof value} is not a JSON value`);
  }
}

/** Reference implementation, exported for tests: always serialises by hand. */
export const canonicalJsonReference = serialise;

/** Hex SHA-256 of bytes, or of a string's UTF-8 bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** `{json, hash}` of a JSON value: the canonical JSON and its hex SHA-256. */
export function contentOf(value: unknown): { json: string; hash: string } {
  const json = canonicalJson(value);
  return { json, hash: sha256Hex(json) };
}
