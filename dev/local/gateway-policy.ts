/**
 * The local gateway's access rules (issue 9), pure so they are unit-tested:
 *  - basic auth on every route but `GET /healthz` (as OpenFaaS's gateway: user admin, password from
 *    a secret); `/metrics` is behind it too (OpenFaaS serves metrics on a separate port instead);
 *  - X-Callback-Url only to this gateway's own /function/* or to an allow-listed prefix.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayCredentials } from '../../shared/adapters/gateway.ts';

/** Routes answered without credentials. */
export function isOpenRoute(method: string | undefined, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && path === '/healthz';
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Does the Authorization header carry exactly these credentials? (constant time in the password) */
export function checkBasicAuth(header: string | undefined, want: GatewayCredentials): boolean {
  if (header === undefined) return false;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(want.user));
  const passOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(want.password));
  return userOk && passOk;
}

export type CallbackVerdict = { ok: true; own: boolean } | { ok: false; reason: string };

export interface CallbackPolicy {
  /** Origins of this gateway (e.g. http://127.0.0.1:8080, http://localhost:8080). */
  ownOrigins: string[];
  /** Other allowed URL prefixes (GATEWAY_CALLBACK_ALLOW). */
  allow: string[];
}

/** The origins under which a gateway listening on `port` calls itself. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

function underPrefix(u: URL, prefix: string): boolean {
  let p: URL;
  try {
    p = new URL(prefix);
  } catch {
    return false;
  }
  if (p.origin !== u.origin) return false;
  const base = p.pathname.endsWith('/') ? p.pathname : `${p.pathname}/`;
  return p.pathname === '/' || u.pathname === p.pathname || u.pathname.startsWith(base);
}

/**
 * Where the gateway may POST an async call's result. `own` callbacks go to this gateway's own
 * functions (the gateway adds its credentials to them; never to any other address).
 */
export function checkCallback(raw: string, policy: CallbackPolicy): CallbackVerdict {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: `X-Callback-Url ${JSON.stringify(raw.slice(0, 200))} is not a URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: `X-Callback-Url must be http(s), not ${u.protocol}` };
  if (u.username || u.password) return { ok: false, reason: 'X-Callback-Url must not carry credentials' };
  if (policy.ownOrigins.includes(u.origin) && u.pathname.startsWith('/function/')) return { ok: true, own: true };
  if (policy.allow.some((p) => underPrefix(u, p))) return { ok: true, own: false };
  return {
    ok: false,
    reason: `X-Callback-Url ${u.origin}${u.pathname} is not allowed: callbacks go only to this gateway's /function/<name> or to a prefix listed in GATEWAY_CALLBACK_ALLOW`,
  };
}
