/**
 * The OpenFaaS-style gateway as a client sees it: its basic-auth credentials (issue 9: every route
 * but /healthz needs them) and the calls made through it. Every client of the gateway — the
 * connectors, functions invoking others asynchronously (archive-check asks archive-move, aggregate
 * asks kpi-rebuild), scripts and tests — gets its credentials here:
 *
 *   GATEWAY_USER (default admin) and GATEWAY_PASSWORD, else the password read from
 *   GATEWAY_PASSWORD_FILE (default <ORDERPULSE_HOME>/gateway/password; in OpenFaaS the secret
 *   basic-auth-password, mounted at /var/openfaas/secrets/basic-auth-password).
 *
 * `npm run pipeline` generates the file (mode 0600) at its first start when neither is set.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../platform/config.ts';
import { ConfigError, DependencyError } from '../platform/errors.ts';
import { readSecretFile } from './secret-file.ts';

export interface GatewayCredentials {
  user: string;
  password: string;
}

export type CredentialsSource = 'env' | 'file' | 'generated';

/** `Basic base64(user:password)`. */
export function basicAuth(c: GatewayCredentials): string {
  return `Basic ${Buffer.from(`${c.user}:${c.password}`, 'utf8').toString('base64')}`;
}

/** `{ authorization }` for the credentials, `{}` for none (an open gateway). */
export function authHeaders(c: GatewayCredentials | undefined): Record<string, string> {
  return c ? { authorization: basicAuth(c) } : {};
}

function readPasswordFile(file: string): string | undefined {
  return readSecretFile(file, { setting: 'GATEWAY_PASSWORD_FILE', whenEmpty: 'write a password into it, or delete it so `npm run pipeline` generates one' });
}

/** The configured credentials with where they came from; undefined when neither GATEWAY_PASSWORD nor the file is there. */
export function findGatewayCredentials(config: Config): { credentials: GatewayCredentials; source: CredentialsSource } | undefined {
  if (config.gatewayPassword !== undefined) return { credentials: { user: config.gatewayUser, password: config.gatewayPassword }, source: 'env' };
  const pw = readPasswordFile(config.gatewayPasswordFile);
  return pw === undefined ? undefined : { credentials: { user: config.gatewayUser, password: pw }, source: 'file' };
}

/** The credentials clients send; undefined when none is configured (the calls then get 401 from a locked gateway). */
export function readGatewayCredentials(config: Config): GatewayCredentials | undefined {
  return findGatewayCredentials(config)?.credentials;
}

/**
 * The gateway's side (the local pipeline): the configured credentials, or a new random password
 * written to GATEWAY_PASSWORD_FILE (mode 0600, directory 0700) when none is configured. Safe when
 * several pipelines start at once: the file appears atomically (link), and a loser reads the winner's.
 */
export function ensureGatewayCredentials(config: Config, random: () => string = () => randomBytes(24).toString('base64url')): { credentials: GatewayCredentials; source: CredentialsSource; file: string } {
  const file = config.gatewayPasswordFile;
  const found = findGatewayCredentials(config);
  if (found) return { ...found, file };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const mine = random();
  writeFileSync(tmp, mine + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot write the gateway password file ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    unlinkSync(tmp);
  }
  const pw = readPasswordFile(file);
  if (pw === undefined) throw new ConfigError(`the gateway password file ${file} vanished while it was being created; retry`);
  return { credentials: { user: config.gatewayUser, password: pw }, source: pw === mine ? 'generated' : 'file', file };
}

const UNAUTHORIZED_HINT =
  'the gateway needs basic auth: set GATEWAY_USER/GATEWAY_PASSWORD or GATEWAY_PASSWORD_FILE (the local pipeline writes <ORDERPULSE_HOME>/gateway/password and prints it)';

/** Calls through the gateway with its credentials: `client.fetch('/function/ingest', init)`. */
export class GatewayClient {
  readonly url: string;
  constructor(
    url: string,
    readonly credentials: GatewayCredentials | undefined,
  ) {
    this.url = url.replace(/\/+$/, '');
  }

  static fromConfig(config: Config, url: string = config.gatewayUrl): GatewayClient {
    return new GatewayClient(url, readGatewayCredentials(config));
  }

  /** The headers of a call: the caller's plus Authorization. */
  headers(extra?: HeadersInit): Headers {
    const h = new Headers(extra);
    if (this.credentials) h.set('authorization', basicAuth(this.credentials));
    return h;
  }

  /** fetch(`${url}${path}`) with the credentials; `path` starts with `/`. */
  fetch(p: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.url + p, { ...init, headers: this.headers(init.headers) });
  }
}

/** What a 401 from the gateway means, for error messages. */
export function unauthorizedHint(status: number): string {
  return status === 401 ? `; ${UNAUTHORIZED_HINT}` : '';
}

export interface InvokeResult {
  status: number;
  /** The gateway's call id (X-Call-Id), when it sends one. */
  callId?: string;
}

export interface Invoker {
  invokeAsync(fn: string, body: unknown): Promise<InvokeResult>;
}

/**
 * Asynchronous invocation (`/async-function/<name>` answers 202). Credentials: the given ones, else
 * those of the process's configuration (a function's environment), read at the first call.
 */
export class HttpInvoker implements Invoker {
  private credentials: GatewayCredentials | undefined | null;

  constructor(
    private readonly gatewayUrl: string,
    private readonly timeoutMs = 10_000,
    credentials?: GatewayCredentials,
  ) {
    this.credentials = credentials ?? null;
  }

  private auth(): GatewayCredentials | undefined {
    if (this.credentials === null) this.credentials = readGatewayCredentials(loadConfig());
    return this.credentials;
  }

  async invokeAsync(fn: string, body: unknown): Promise<InvokeResult> {
    const url = `${this.gatewayUrl.replace(/\/+$/, '')}/async-function/${encodeURIComponent(fn)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(this.auth()) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new DependencyError('gateway', `cannot reach ${url}; is the pipeline running? (npm run pipeline)`, { cause });
    }
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status >= 300) {
      throw new DependencyError('gateway', `POST ${url} answered ${res.status}: ${text.slice(0, 200)}${unauthorizedHint(res.status)}`, { retriable: res.status >= 500 || res.status === 429 });
    }
    const callId = res.headers.get('x-call-id') ?? undefined;
    return callId ? { status: res.status, callId } : { status: res.status };
  }
}
