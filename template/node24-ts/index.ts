/**
 * Entry point of the node24-ts OpenFaaS template (the `fprocess` under of-watchdog, and the
 * process the local supervisor spawns for each function):
 *   node --import tsx template/node24-ts/index.ts
 * Environment: HANDLER_PATH (default ./function/handler.ts, relative to the working directory),
 * PORT (default 3000), HOST (default 127.0.0.1), MAX_BODY_BYTES (default 32 MiB),
 * SHUTDOWN_GRACE_MS (default 10000), FUNCTION_NAME (for logs), ORDERPULSE_PARENT_PID (set by
 * the local supervisor: exit when that process is gone).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../../shared/platform/log.ts';
import { stopOnSignals } from '../../shared/platform/signals.ts';
import { createFunctionServer, type HandlerModule } from './server.ts';

function intEnv(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`${name}=${raw} must be an integer in [${min}, ${max}]\n`);
    process.exit(2);
  }
  return n;
}

const fnName = process.env.FUNCTION_NAME ?? process.env.OPENFAAS_NAME ?? 'function';
const log = createLogger({ fn: fnName, pid: process.pid });
const handlerPath = path.resolve(process.env.HANDLER_PATH ?? './function/handler.ts');
const port = intEnv('PORT', 3000, 0, 65535);
const host = process.env.HOST ?? '127.0.0.1';
const maxBodyBytes = intEnv('MAX_BODY_BYTES', 32 * 1024 * 1024, 1, 2 ** 31 - 1);
const graceMs = intEnv('SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000);

let mod: HandlerModule;
try {
  mod = (await import(pathToFileURL(handlerPath).href)) as HandlerModule;
} catch (err) {
  log.error('cannot load the function handler', { handlerPath, err });
  process.exit(1);
}
if (typeof mod.default !== 'function') {
  log.error('the handler module must `export default async (event, context) => …`', { handlerPath });
  process.exit(1);
}

const fs = createFunctionServer(mod, { maxBodyBytes, log });
fs.server.on('error', (err) => {
  log.error('server error', { err, host, port });
  process.exit(1);
});
fs.server.listen(port, host, () => {
  const addr = fs.server.address();
  log.info('function listening', { handlerPath, host, port: typeof addr === 'object' && addr ? addr.port : port });
});

const stop = stopOnSignals(() => fs.shutdown(graceMs), log, () => ({ inFlight: fs.inFlight() }));

// Local runtime only: if the supervisor dies without stopping us, do not linger as an orphan.
const parentPid = Number(process.env.ORDERPULSE_PARENT_PID);
if (Number.isInteger(parentPid) && parentPid > 0) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      stop('parent exited');
    }
  }, 2000).unref();
}
