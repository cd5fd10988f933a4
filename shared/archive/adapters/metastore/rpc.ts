/**
 * The generated Hive Metastore client (generated.ts) over one TCP connection: TBinaryProtocol on a
 * plain (buffered, unframed) socket, which is what a standalone HiveMetaStore serves by default.
 * The generated code encodes calls and decodes replies (CallCodec); ThriftRpc owns the socket.
 * Calls are sent one at a time (the metastore answers in order on a connection anyway); each has
 * a timeout; a failed or timed-out call drops the connection and the next call reconnects.
 */
import net from 'node:net';
import thrift from 'thrift';
import type { TBufferedTransport } from 'thrift';
import { DependencyError } from '../../../platform/errors.ts';
import type { CallName, Generated, GeneratedClient } from './generated.ts';

const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3 } as const;
const SERVICE = 'hive-metastore';

/** The exceptions hive_metastore.thrift declares. */
export const DECLARED_EXCEPTIONS: ReadonlySet<string> = new Set(['MetaException', 'NoSuchObjectException', 'AlreadyExistsException', 'InvalidObjectException', 'InvalidOperationException']);

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

/**
 * What the generated client rejects a call with, as our error: a declared exception or a
 * TApplicationException becomes MetastoreError; a reply without result (the generated code
 * rejects with a string then) a MetastoreError too. Anything else is returned unchanged.
 */
export function toMetastoreError(method: string, err: unknown): unknown {
  if (typeof err === 'string') return new MetastoreError(method, 'TApplicationException', `reply has no result (MISSING_RESULT): ${err}`);
  if (typeof err !== 'object' || err === null) return err;
  const { name, message, type } = err as { name?: unknown; message?: unknown; type?: unknown };
  if (name === 'TApplicationException') return new MetastoreError(method, 'TApplicationException', `${String(message ?? '')} (type ${String(type ?? '?')})`);
  if (typeof name === 'string' && DECLARED_EXCEPTIONS.has(name)) return new MetastoreError(method, name, String(message ?? ''));
  return err;
}

/**
 * The generated client without a socket: `encode` runs one call of it and captures the call's
 * bytes; `decode` hands the reply bytes to it, which settles that call's promise. ThriftRpc puts a
 * socket between the two; the tests put the generated server (Processor) there.
 */
export class CallCodec {
  private readonly out: TBufferedTransport;
  private outgoing: Buffer | undefined;
  readonly client: GeneratedClient;

  constructor(gen: Generated) {
    this.out = new thrift.TBufferedTransport(undefined, (msg) => {
      this.outgoing = msg;
    });
    this.client = new gen.Client(this.out, thrift.TBinaryProtocol);
  }

  /**
   * Run `invoke` (one call of the generated client): the call's promise, its CALL message bytes
   * (undefined when encoding failed: the promise rejects with why) and its seqid.
   */
  encode<T>(invoke: (client: GeneratedClient) => Promise<T>): { answer: Promise<T>; bytes: Buffer | undefined; seqid: number } {
    this.outgoing = undefined;
    const answer = invoke(this.client);
    const bytes = this.outgoing;
    // Encoding failed half-way: drop the partial bytes, or the next call would send them.
    if (!bytes) this.out.reset();
    return { answer, bytes, seqid: this.client.seqid() };
  }

  /**
   * Read one reply from `transport` and hand it to the generated recv_<method>, which settles the
   * call's promise. Throws thrift's InputBufferUnderrunError when the bytes are not all there yet
   * (the call stays pending: roll the transport back and try again with more bytes), and a
   * DependencyError when the reply belongs to another call.
   */
  decode(transport: TBufferedTransport, method: CallName, seqid: number): void {
    const p = new thrift.TBinaryProtocol(transport);
    const head = p.readMessageBegin();
    if ((head.mtype !== MessageType.REPLY && head.mtype !== MessageType.EXCEPTION) || head.fname !== method || head.rseqid !== seqid) {
      throw new DependencyError(SERVICE, `${method}: unexpected reply ${head.fname} type ${head.mtype} seqid ${head.rseqid} (expected seqid ${seqid}); is ${SERVICE} speaking TBinaryProtocol without framing?`, {
        retriable: true,
      });
    }
    const client = this.client;
    const recv = (client as unknown as Record<string, (...a: unknown[]) => void>)[`recv_${method}`];
    if (typeof recv !== 'function') throw new DependencyError(SERVICE, `${method}: the generated client has no recv_${method}; regenerate it (node scripts/generate-thrift.mjs --force)`, { retriable: false });
    // recv_<method> takes the callback out before it reads; put it back if the bytes run short.
    const callback = client._reqs[seqid];
    try {
      recv.call(client, p, head.mtype, seqid);
    } catch (err) {
      client._reqs[seqid] = callback;
      throw err;
    }
  }

  /** Forget a call that will get no reply (timeout, broken connection). */
  abandon(seqid: number): void {
    delete this.client._reqs[seqid];
  }
}

export interface RpcOptions {
  host: string;
  port: number;
  /** Per call, including connecting. */
  timeoutMs: number;
}

interface Pending {
  /** The connection the call was sent on: events of an older, dropped one are ignored. */
  sock: net.Socket;
  onData(chunk: Buffer): void;
  fail(err: Error): void;
}

export class ThriftRpc {
  private readonly codec: CallCodec;
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    gen: Generated,
    private readonly opts: RpcOptions,
  ) {
    this.codec = new CallCodec(gen);
  }

  get endpoint(): string {
    return `thrift://${this.opts.host}:${this.opts.port}`;
  }

  /**
   * Run one call of the generated client (`invoke` calls exactly one method, named `method`);
   * resolves with its result. Calls are serialised.
   */
  call<T>(method: CallName, invoke: (client: GeneratedClient) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.callNow(method, invoke));
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
      const mine = (): Pending | undefined => (this.pending?.sock === sock ? this.pending : undefined);
      sock.on('data', (chunk: Buffer) => {
        const p = mine();
        if (p) p.onData(chunk);
        else sock.destroy(new Error('unsolicited data from the metastore'));
      });
      sock.on('error', (err) => mine()?.fail(err));
      sock.on('close', () => {
        if (this.socket === sock) this.socket = undefined;
        mine()?.fail(new Error('connection closed by the metastore'));
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async callNow<T>(method: CallName, invoke: (client: GeneratedClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new DependencyError(SERVICE, `${method}: client is closed`, { retriable: false });
    const deadline = Date.now() + this.opts.timeoutMs;
    const hint = `is the metastore up at ${this.endpoint}? (npm run stack -- status; start it with npm run stack -- up --all)`;
    let sock: net.Socket;
    try {
      sock = await this.connect(deadline);
    } catch (cause) {
      throw new DependencyError(SERVICE, `${method}: cannot connect: ${(cause as Error).message}; ${hint}`, { cause });
    }
    const { answer, bytes, seqid } = this.codec.encode(invoke);
    if (!bytes) {
      const cause = await answer.then(
        () => new Error('no bytes'),
        (e: unknown) => e,
      );
      throw new DependencyError(SERVICE, `${method}: cannot encode the call: ${(cause as Error).message ?? String(cause)}`, { cause, retriable: false });
    }
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const settle = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending = undefined;
        if (!err) return; // the generated client settles `answer`
        // The connection's state is unknown now: drop it, the next call reconnects.
        this.codec.abandon(seqid);
        if (this.socket === sock) this.socket = undefined;
        sock.destroy();
        reject(err instanceof DependencyError ? err : new DependencyError(SERVICE, `${method}: ${err.message}; ${hint}`, { cause: err }));
      };
      // A complete, well-formed answer (a server exception included) keeps the connection.
      answer.then(resolve, (e: unknown) => reject(toMetastoreError(method, e)));
      const timer = setTimeout(() => settle(new Error(`no answer within ${this.opts.timeoutMs} ms`)), Math.max(1, deadline - Date.now()));
      const receive = thrift.TBufferedTransport.receiver((transport) => {
        try {
          this.codec.decode(transport, method, seqid);
          transport.commitPosition();
          settle();
        } catch (err) {
          if (err instanceof thrift.InputBufferUnderrunError) {
            transport.rollbackPosition();
            return;
          }
          settle(err as Error);
        }
      });
      this.pending = { sock, onData: (chunk) => receive(chunk), fail: (err) => settle(err) };
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
