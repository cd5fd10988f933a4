/**
 * defineFunction: the one shape of an OrderPulse function (functions/<name>/handler.ts).
 *
 *   export default … = defineFunction({ name, open, parse, handle, health?, close })
 *
 * - `open(config, log)` creates the clients (MongoDB, Kafka, Redis, …) ONCE per process, lazily
 *   on the first call; when it fails the call answers the error and the next call tries again.
 * - `parse(event)` turns the invocation into a request (pure; throws ValidationError → 400) and
 *   runs before any client is opened; it may return `answerNow(value)` when there is nothing
 *   to do (an empty delivery): the call answers `value` without opening anything.
 * - `handle(request, ctx, clients, log)` calls the shared core and returns the answer.
 * - `health(clients)` backs `/_/health`; `await clients()` opens the clients (or reuses them) when
 *   the answer depends on them (default: `{status: 'ok'}` without opening anything).
 * - `close(clients)` runs once on SIGTERM (the template calls the module's `shutdown`).
 * - Self-healing: after FUNCTION_REOPEN_AFTER calls in a row (default 5; 0 = never) failed with a
 *   retriable 5xx (a dependency down or a broken connection pool), the clients are closed and
 *   the next call opens new ones. A client that stays broken after its server came back (seen
 *   once with the MongoDB driver after a FerretDB restart: every insert failed on the same closed
 *   connection for minutes) then heals within N redeliveries instead of never.
 * Errors from open, parse and handle map to HTTP in one place (errors.ts httpErrorOf) and are
 * logged once: warn for 4xx, error for 5xx. Handlers never create indexes or topics: the set-up
 * step does (shared/setup, `npm run setup`).
 */
import { loadConfig, type Config } from './config.ts';
import { DependencyError, httpErrorOf } from './errors.ts';
import type { FnContext, FnEvent, Handler } from './fn.ts';
import { createLogger, withoutLogContext, type Logger } from './log.ts';

/** What `parse` returns to answer at once, without opening clients or calling `handle`. */
export class ImmediateAnswer {
  constructor(readonly value: unknown) {}
}

export function answerNow(value: unknown): ImmediateAnswer {
  return new ImmediateAnswer(value);
}

export interface FunctionSpec<C, R> {
  /** The function's name (stack.yml), used in logs. */
  name: string;
  open(config: Config, log: Logger): Promise<C> | C;
  parse(event: FnEvent): R | ImmediateAnswer;
  handle(request: R, ctx: FnContext, clients: C, log: Logger): Promise<unknown> | unknown;
  health?(clients: () => Promise<C>): Promise<unknown> | unknown;
  close(clients: C, log: Logger): Promise<void> | void;
}

/** What the node24-ts template expects of a handler module (template/node24-ts/server.ts HandlerModule). */
export interface FunctionModule {
  handler: Handler;
  health(): Promise<unknown>;
  shutdown(): Promise<void>;
}

export interface DefineOptions {
  /** Default: loadConfig() from the environment, read on the first open. */
  config?: () => Config;
  /** Default: createLogger({ fn: name }). */
  log?: Logger;
}

export function defineFunction<C, R>(spec: FunctionSpec<C, R>, opts: DefineOptions = {}): FunctionModule {
  const log = opts.log ?? createLogger({ fn: spec.name });
  let clients: Promise<C> | undefined;
  let closing = false;
  let config: Config | undefined;
  /** Calls in a row that failed with a retriable 5xx. */
  let failuresInRow = 0;
  const configOf = (): Config => (config ??= (opts.config ?? loadConfig)());

  function getClients(): Promise<C> {
    if (closing) return Promise.reject(new DependencyError(spec.name, 'the function is shutting down; retry', { retriable: true }));
    // Clients outlive the call that opened them: their log lines must not carry its call id.
    clients ??= withoutLogContext(async () => spec.open(configOf(), log)).catch((err: unknown) => {
      clients = undefined; // the next call tries again
      throw err;
    });
    return clients;
  }

  /** Close the current clients in the background; the next call opens new ones. */
  function reopen(after: number): void {
    const pending = clients;
    clients = undefined;
    if (pending === undefined) return;
    log.warn('calls keep failing on a dependency: closing the clients, the next call opens new ones', { failuresInRow: after });
    void pending
      .then((c) => spec.close(c, log))
      .catch((err: unknown) => log.warn('closing the failing clients failed', { err }));
  }

  const handler: Handler = async (event: FnEvent, ctx: FnContext) => {
    try {
      const request = spec.parse(event);
      if (request instanceof ImmediateAnswer) return request.value;
      const out = await spec.handle(request, ctx, await getClients(), log);
      failuresInRow = 0;
      return out;
    } catch (err) {
      const { status, body } = httpErrorOf(err);
      log[status >= 500 ? 'error' : 'warn'](`${spec.name} failed`, { status, err });
      if (status >= 500 && body.retriable === true && !closing) {
        const limit = configOf().functionReopenAfter;
        if (limit > 0 && ++failuresInRow >= limit) {
          reopen(failuresInRow);
          failuresInRow = 0;
        }
      }
      ctx.status(status);
      return body;
    }
  };

  return {
    handler,
    async health() {
      if (!spec.health) return { status: 'ok' };
      return await spec.health(getClients);
    },
    async shutdown() {
      closing = true;
      const pending = clients;
      clients = undefined;
      const c = await pending?.catch(() => undefined);
      if (c === undefined) return;
      try {
        await spec.close(c, log);
        log.info('closed');
      } catch (err) {
        log.error('close failed', { err });
      }
    },
  };
}
