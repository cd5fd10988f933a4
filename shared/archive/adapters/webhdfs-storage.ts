/**
 * ArchiveStorage over WebHDFS (HDFS's REST API on the NameNode's HTTP port), with fetch only.
 *
 * URL: `webhdfs://host:port/root[?namenode=host:rpcPort]` (ARCHIVE_URL). Archive paths are
 * absolute within `root`. CREATE is two steps: the NameNode answers 307 with a DataNode
 * `Location`, which gets the bytes; OPEN follows the redirect the same way. `put` writes a hidden
 * temporary name in the same directory and renames it over the target (rename with OVERWRITE,
 * atomic in the NameNode), so readers never see a partial file. `locationOf` returns the
 * `hdfs://` URI a catalog records, using the NameNode RPC address (option `namenodeRpc`, else the
 * URL's `namenode` parameter, else the WebHDFS host with port 8020).
 *
 * The DataNode answers a CREATE upload with an unsolicited `100 Continue` before its `201`, which
 * fetch (undici) rejects as a bad response; that one request uses node:http, which skips 1xx.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { DependencyError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { ArchiveStorage } from '../ports.ts';

export interface WebHdfsOptions {
  /** webhdfs://host:port/root */
  url: string;
  /** WebHDFS `user.name` (simple authentication). Default 'orderpulse'. */
  user?: string;
  /** NameNode RPC address `host:port` for locationOf(); see the module comment for the default. */
  namenodeRpc?: string;
  /** Per request (a 5 MB file takes well under a second locally). Default 120 s. */
  timeoutMs?: number;
}

interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
}

const SERVICE = 'webhdfs';
const HINT = 'is HDFS up? (npm run stack -- status; start it with npm run stack -- up --all)';

/** Temporary and hidden names (`.x`, `_x`) are not archive files (as in the local storage). */
const isHidden = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

export interface ParsedWebHdfsUrl {
  /** http://host:port */
  httpBase: string;
  host: string;
  /** '' for the file system root, else '/a/b' (no trailing slash). */
  root: string;
  namenode: string | undefined;
}

export function parseWebHdfsUrl(url: string): ParsedWebHdfsUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new ValidationError('archive_url', `ARCHIVE_URL=${url} is not a URL (expected webhdfs://host:port/path)`, { cause });
  }
  if (u.protocol !== 'webhdfs:' || u.hostname === '') throw new ValidationError('archive_url', `ARCHIVE_URL=${url} must look like webhdfs://host:port/path`);
  const port = u.port === '' ? '9870' : u.port;
  const root = decodeURIComponent(u.pathname).replace(/\/+$/, '');
  if (root.split('/').some((s) => s === '..' || s === '.')) throw new ValidationError('archive_url', `ARCHIVE_URL=${url}: the root must not contain . or ..`);
  const namenode = u.searchParams.get('namenode') ?? undefined;
  if (namenode !== undefined && !/^[^:/\s]+:\d+$/.test(namenode)) throw new ValidationError('archive_url', `ARCHIVE_URL=${url}: namenode=${namenode} must be host:port`);
  return { httpBase: `http://${u.hostname}:${port}`, host: u.hostname, root, namenode };
}

/** Check an archive path (absolute, '/'-separated, no '.' or '..' or empty segments). */
export function checkPath(p: string): string {
  if (!p.startsWith('/')) throw new ValidationError('archive_path', `archive paths are absolute within the root, got ${p}`);
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const segs = trimmed.split('/').slice(1);
  if (trimmed !== '/' && segs.some((s) => s === '' || s === '.' || s === '..')) throw new ValidationError('archive_path', `bad archive path: ${p}`);
  return trimmed;
}

const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** Turn a failed WebHDFS answer into our error: NotFoundError for 404, else DependencyError. */
export function webHdfsError(op: string, path: string, status: number, body: string): DependencyError | NotFoundError {
  let exception = `HTTP ${status}`;
  let message = body.slice(0, 300);
  try {
    const rx = (JSON.parse(body) as { RemoteException?: { exception?: string; message?: string } }).RemoteException;
    if (rx) {
      exception = rx.exception ?? exception;
      message = rx.message ?? message;
    }
  } catch {
    /* not JSON (e.g. an HTML error page) */
  }
  const details = { op, path, status, exception };
  if (status === 404 || exception === 'FileNotFoundException') {
    return new NotFoundError(`${SERVICE}: ${op} ${path}: not found (${message})`, { details });
  }
  // "Failed to find datanode" (no DataNode registered yet) or "could only be written to 0 of
  // the 1 minReplication nodes": the cluster is starting or degraded, not the request's fault.
  const noDataNode = /datanode|minReplication/i.test(message) && (exception === 'IOException' || exception === 'RemoteException');
  const hint =
    exception === 'SafeModeException' || noDataNode
      ? 'HDFS is starting up (safe mode or no DataNode yet); retry shortly'
      : exception === 'AccessControlException'
        ? 'permission denied; check the WebHDFS user (user.name) or run HDFS with dfs.permissions.enabled=false'
        : status >= 500
          ? HINT
          : 'check the path and the request';
  // 5xx and safe mode are transient; other 4xx answers will not change on retry.
  const retriable = status >= 500 || noDataNode || exception === 'SafeModeException' || exception === 'RetriableException' || exception === 'StandbyException';
  return new DependencyError(SERVICE, `${op} ${path}: ${exception}: ${message}; ${hint}`, { retriable, details });
}

export class WebHdfsStorage implements ArchiveStorage {
  readonly httpBase: string;
  readonly root: string;
  readonly user: string;
  readonly namenodeRpc: string;
  private readonly timeoutMs: number;

  constructor(opts: WebHdfsOptions) {
    const u = parseWebHdfsUrl(opts.url);
    this.httpBase = u.httpBase;
    this.root = u.root;
    this.user = opts.user ?? 'orderpulse';
    this.namenodeRpc = opts.namenodeRpc ?? u.namenode ?? `${u.host}:8020`;
    if (!/^[^:/\s]+:\d+$/.test(this.namenodeRpc)) throw new ValidationError('archive_url', `namenodeRpc=${this.namenodeRpc} must be host:port`);
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  describe(): string {
    return `webhdfs://${this.httpBase.slice('http://'.length)}${this.root || '/'}`;
  }

  /** The full HDFS path of an archive path. */
  hdfsPath(p: string): string {
    const c = checkPath(p);
    return c === '/' ? this.root || '/' : `${this.root}${c}`;
  }

  locationOf(p: string): string {
    return `hdfs://${this.namenodeRpc}${this.hdfsPath(p)}`;
  }

  private url(full: string, op: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ op, 'user.name': this.user, ...params });
    return `${this.httpBase}/webhdfs/v1${encodePath(full)}?${q.toString()}`;
  }

  private async send(op: string, full: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      const why = (cause as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : `${(cause as Error).message}${(cause as { cause?: { code?: string } }).cause?.code ? ` (${(cause as { cause: { code: string } }).cause.code})` : ''}`;
      throw new DependencyError(SERVICE, `${op} ${full}: ${why} at ${new URL(url).host}; ${HINT}`, { cause, details: { op, path: full } });
    }
  }

  /** A plain NameNode call answering JSON. */
  private async json<T>(method: string, op: string, full: string, params?: Record<string, string>): Promise<T> {
    const res = await this.send(op, full, this.url(full, op, params), { method });
    const text = await res.text();
    if (!res.ok) throw webHdfsError(op, full, res.status, text);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** NameNode step of CREATE/OPEN: returns the DataNode URL from the 307 answer. */
  private async redirect(method: string, op: string, full: string, params: Record<string, string>): Promise<string> {
    const res = await this.send(op, full, this.url(full, op, params), { method, redirect: 'manual' });
    const location = res.headers.get('location');
    const text = await res.text();
    if (res.status === 307 && location) return location;
    if (!res.ok) throw webHdfsError(op, full, res.status, text);
    throw new DependencyError(SERVICE, `${op} ${full}: expected a 307 redirect to a DataNode, got HTTP ${res.status}; ${HINT}`, { details: { op, path: full } });
  }

  /** PUT the bytes to the DataNode (node:http: tolerates the DataNode's unsolicited 100 Continue). */
  private upload(full: string, url: string, bytes: Uint8Array): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const fail = (why: string, cause?: unknown): void =>
        reject(new DependencyError(SERVICE, `CREATE ${full}: ${why} at DataNode ${new URL(url).host}; ${HINT}`, { cause, details: { op: 'CREATE', path: full } }));
      const req = http.request(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength }, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => fail(err.message, err));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => fail(err.message, err));
      req.end(bytes);
    });
  }

  async put(p: string, bytes: Uint8Array): Promise<void> {
    const target = this.hdfsPath(p);
    if (target === (this.root || '/')) throw new ValidationError('archive_path', `cannot write a file at the archive root: ${p}`);
    const name = target.slice(target.lastIndexOf('/') + 1);
    const tmp = joinPath(parentOf(target), `.${name}.tmp-${randomUUID().slice(0, 8)}`);
    try {
      const dn = await this.redirect('PUT', 'CREATE', tmp, { overwrite: 'true' });
      const res = await this.upload(tmp, dn, bytes);
      if (res.status !== 201 && res.status !== 200) throw webHdfsError('CREATE', tmp, res.status, res.body);
      // Rename with OVERWRITE replaces an existing target in one NameNode operation.
      await this.json('PUT', 'RENAME', tmp, { destination: target, renameoptions: 'OVERWRITE' });
    } catch (err) {
      await this.json('DELETE', 'DELETE', tmp, { recursive: 'false' }).catch(() => undefined);
      throw err;
    }
  }

  async get(p: string): Promise<Uint8Array> {
    const full = this.hdfsPath(p);
    const dn = await this.redirect('GET', 'OPEN', full, {});
    const res = await this.send('OPEN', full, dn, { method: 'GET' });
    if (!res.ok) throw webHdfsError('OPEN', full, res.status, await res.text());
    return new Uint8Array(await res.arrayBuffer());
  }

  async exists(p: string): Promise<boolean> {
    const full = this.hdfsPath(p);
    try {
      await this.json('GET', 'GETFILESTATUS', full);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  private async statuses(dir: string): Promise<FileStatus[]> {
    const full = this.hdfsPath(dir);
    try {
      const r = await this.json<{ FileStatuses?: { FileStatus?: FileStatus[] } }>('GET', 'LISTSTATUS', full);
      // LISTSTATUS on a file lists the file itself with an empty pathSuffix.
      return (r.FileStatuses?.FileStatus ?? []).filter((s) => s.pathSuffix !== '' && !isHidden(s.pathSuffix));
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      throw err;
    }
  }

  async list(dir: string): Promise<{ path: string; size: number }[]> {
    const d = checkPath(dir);
    return (await this.statuses(d))
      .filter((s) => s.type === 'FILE')
      .map((s) => ({ path: joinPath(d, s.pathSuffix), size: s.length }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async listDirs(dir: string): Promise<string[]> {
    const d = checkPath(dir);
    return (await this.statuses(d))
      .filter((s) => s.type === 'DIRECTORY')
      .map((s) => joinPath(d, s.pathSuffix))
      .sort();
  }

  /** Deletes a file (or an empty directory); a missing path is fine. */
  async delete(p: string): Promise<void> {
    const full = this.hdfsPath(p);
    if (full === (this.root || '/')) throw new ValidationError('archive_path', `refusing to delete the archive root ${full}`);
    await this.json('DELETE', 'DELETE', full, { recursive: 'false' });
  }

  async mkdirs(dir: string): Promise<void> {
    const full = this.hdfsPath(dir);
    const r = await this.json<{ boolean?: boolean }>('PUT', 'MKDIRS', full);
    if (r.boolean !== true) throw new DependencyError(SERVICE, `MKDIRS ${full} answered false; is a file in the way?`, { retriable: false, details: { op: 'MKDIRS', path: full } });
  }
}

export function createWebHdfsStorage(opts: WebHdfsOptions): ArchiveStorage & WebHdfsStorage {
  return new WebHdfsStorage(opts);
}
