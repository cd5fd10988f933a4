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

/** Strings that JSON.stringify would write unchanged between quotes (printable ASCII, no " or \\). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go through JSON.stringify
const PLAIN_STRING = /^[^"\\\u0000-\u001f\u007f-\uffff]*$/;

/** `"key":` of keys seen before (bounded: a flood of odd keys only costs speed, never memory). */
const quotedKeys = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k) + ':';
    if (quotedKeys.size < 4096) quotedKeys.set(k, q);
  }
  return q;
}

/**
 * Sorted key order per object shape. Events of one producer share a few shapes (same keys in the
 * same order), so the sort is done once per shape; a match is a few string identity checks.
 */
interface Shape {
  keys: string[];
  sorted: string[];
}
const shapes: Shape[] = [];
const MAX_SHAPES = 32;
function sortedKeys(keys: string[]): string[] {
  outer: for (let s = 0; s < shapes.length; s++) {
    const sh = shapes[s] as Shape;
    if (sh.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (sh.keys[i] !== keys[i]) continue outer;
    return sh.sorted;
  }
  const sorted = keys.slice().sort();
  if (shapes.length >= MAX_SHAPES) shapes.shift();
  shapes.push({ keys, sorted });
  return sorted;
}

/**
 * Canonical JSON of a value made of JSON types only (as produced by `JSON.parse`). Recursive:
 * callers pass validated events, whose depth is bounded (shared/contract/validate.ts MAX_DEPTH).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? '"' + value + '"' : JSON.stringify(value);
    case 'number':
      // String(n) is JSON.stringify(n) for finite numbers (shortest round-trip, -0 as 0).
      return Number.isFinite(value) ? '' + value : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += canonicalJson(value[i]);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = sortedKeys(Object.keys(obj));
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        if (i > 0) out += ',';
        out += quotedKey(k) + canonicalJson(obj[k]);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: ${typeof value} is not a JSON value`);
  }
}

/** The plain reference serialiser, kept for tests: canonicalJson must always equal it. */
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
