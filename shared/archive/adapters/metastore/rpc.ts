/**
 * Thrift RPC over one TCP connection to the Hive Metastore: TBinaryProtocol over a plain
 * (buffered, unframed) socket, which is what a standalone HiveMetaStore serves by default.
 * Calls are sent one at a time (the metastore answers in order on a connection anyway); each has
 * a timeout; a failed or timed-out call drops the connection and the next call reconnects.
 */
import net from 'node:net';
import thrift from 'thrift';
import type { TBufferedTransport } from 'thrift';
import { DependencyError } from '../../../platform/errors.ts';
import { readStruct, writeStruct, type Obj, type Registry } from './codec.ts';
import { APPLICATION_EXCEPTION, type FieldDef, type MethodDef } from './schema.ts';

const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3 } as const;
const SERVICE = 'hive-metastore';

/**
 * The metastore answered with an exception: a declared one (`exception` = its struct name, e.g.
 * NoSuchObjectException) or a TApplicationException (unknown method, internal error).
 */
export class MetastoreError extends DependencyError {
  readonly exception: string;
  readonly remoteMessage: string;
  constructor(method: string, exception: string, remoteMessage: string) {
    // MetaException is the server's generic failure (e.g. its database was busy): worth a retry.
    super(SERVICE, `${method}: ${exception}: ${remoteMessage}`, { retriable: exception === 'MetaException', details: { method, exception } });
    this.exception = exception;
    this.remoteMessage = remoteMessage;
  }
}

export interface RpcOptions {
  host: string;
  port: number;
  /** Per call, including connecting. */
  timeoutMs: number;
}

/** `<method>` call message bytes (exported for tests). */
export function encodeCall(registry: Registry, method: string, def: MethodDef, seqid: number, args: Obj): Buffer {
  let out: Buffer | undefined;
  const transport = new thrift.TBufferedTransport(undefined, (msg) => {
    out = msg;
  });
  const p = new thrift.TBinaryProtocol(transport);
  p.writeMessageBegin(method, MessageType.CALL, seqid);
  writeStruct(p, registry, `${method}_args`, def.args, args);
  p.writeMessageEnd();
  p.flush();
  if (!out) throw new Error(`encoding ${method} produced no bytes`);
  return out;
}

export function resultFields(def: MethodDef): FieldDef[] {
  return [...(def.returns === 'void' ? [] : [[0, 'success', def.returns] as const]), ...def.throws];
}

/**
 * Decode one reply from `transport`; throws thrift's InputBufferUnderrunError when the bytes are
 * not all there yet. Returns the success value (undefined for void) or throws MetastoreError.
 */
export function decodeReply(registry: Registry, transport: TBufferedTransport, method: string, def: MethodDef, seqid: number): unknown {
  const p = new thrift.TBinaryProtocol(transport);
  const head = p.readMessageBegin();
  if (head.mtype === MessageType.EXCEPTION) {
    const x = readStruct(p, registry, APPLICATION_EXCEPTION.fields);
    p.readMessageEnd();
    throw new MetastoreError(method, 'TApplicationException', `${String(x.message ?? '')} (type ${String(x.type ?? '?')})`);
  }
  if (head.mtype !== MessageType.REPLY || head.fname !== method || head.rseqid !== seqid) {
    throw new DependencyError(SERVICE, `${method}: unexpected reply ${head.fname} type ${head.mtype} seqid ${head.rseqid} (expected seqid ${seqid}); is ${SERVICE} speaking TBinaryProtocol without framing?`, { retriable: true });
  }
  const result = readStruct(p, registry, resultFields(def));
  p.readMessageEnd();
  for (const [, name, type] of def.throws) {
    const x = result[name] as Obj | undefined;
    if (x !== undefined) throw new MetastoreError(method, type, String(x.message ?? ''));
  }
  if (def.returns !== 'void' && result.success === undefined) throw new MetastoreError(method, 'TApplicationException', 'reply has no result (MISSING_RESULT)');
  return result.success;
}

interface Pending {
  onData(chunk: Buffer): void;
  fail(err: Error): void;
}

export class ThriftRpc {
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private seqid = 0;
  private closed = false;

  constructor(
    private readonly registry: Registry,
    private readonly opts: RpcOptions,
  ) {}

  get endpoint(): string {
    return `thrift://${this.opts.host}:${this.opts.port}`;
  }

  /** Call `method`; resolves with its success value (undefined for void). Calls are serialised. */
  call(method: string, def: MethodDef, args: Obj): Promise<unknown> {
    const run = this.queue.then(() => this.callNow(method, def, args));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connect(deadline: number): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const sock = net.connect({ host: this.opts.host, port: this.opts.port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect timed out after ${this.opts.timeoutMs} ms`));
      }, Math.max(1, deadline - Date.now()));
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.setKeepAlive(true, 30_000);
        this.socket = sock;
        resolve(sock);
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.on('data', (chunk: Buffer) => {
        if (this.pending) this.pending.onData(chunk);
        else sock.destroy(new Error('unsolicited data from the metastore'));
      });
      sock.on('error', (err) => this.pending?.fail(err));
      sock.on('close', () => {
        if (this.socket === sock) this.socket = undefined;
        this.pending?.fail(new Error('connection closed by the metastore'));
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async callNow(method: string, def: MethodDef, args: Obj): Promise<unknown> {
    if (this.closed) throw new DependencyError(SERVICE, `${method}: client is closed`, { retriable: false });
    const deadline = Date.now() + this.opts.timeoutMs;
    const hint = `is the metastore up at ${this.endpoint}? (npm run stack -- status; start it with npm run stack -- up --all)`;
    let sock: net.Socket;
    try {
      sock = await this.connect(deadline);
    } catch (cause) {
      throw new DependencyError(SERVICE, `${method}: cannot connect: ${(cause as Error).message}; ${hint}`, { cause });
    }
    const seqid = (this.seqid = (this.seqid + 1) & 0x7fffffff);
    const bytes = encodeCall(this.registry, method, def, seqid, args);
    return new Promise<unknown>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | undefined, value?: unknown): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending = undefined;
        if (err) {
          // The connection's state is unknown now: drop it, the next call reconnects.
          sock.destroy();
          reject(err instanceof DependencyError ? err : new DependencyError(SERVICE, `${method}: ${err.message}; ${hint}`, { cause: err }));
        } else resolve(value);
      };
      const timer = setTimeout(() => finish(new Error(`no answer within ${this.opts.timeoutMs} ms`)), Math.max(1, deadline - Date.now()));
      const receive = thrift.TBufferedTransport.receiver((transport) => {
        try {
          const value = decodeReply(this.registry, transport, method, def, seqid);
          transport.commitPosition();
          finish(undefined, value);
        } catch (err) {
          if (err instanceof thrift.InputBufferUnderrunError) {
            transport.rollbackPosition();
            return;
          }
          if (err instanceof MetastoreError) {
            // A complete, well-formed answer: the connection stays usable.
            done = true;
            clearTimeout(timer);
            this.pending = undefined;
            reject(err);
            return;
          }
          finish(err as Error);
        }
      });
      this.pending = { onData: (chunk) => receive(chunk), fail: (err) => finish(err) };
      sock.write(bytes);
    });
  }

  /** Close the connection; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) await new Promise<void>((r) => s.end(() => r()));
    s?.destroy();
  }
}
