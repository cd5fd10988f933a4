/**
 * cache-write (topic kpi.deltas, batched): materialise the served KPI views in Redis from one
 * consistent snapshot of the counters, stamp as_of, PUBLISH the change for the dashboard's SSE.
 * Any number of notices in one delivery, or arriving during a run, cost one materialisation.
 */
import type { FnContext, FnEvent } from '../../shared/platform/fn.ts';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { coalesce } from '../../shared/kpi/coalesce.ts';
import { decodeEvent } from '../../shared/delivery/decode-event.ts';
import { materialize, type MaterializeResult } from '../../shared/kpi/materialize.ts';
import { RedisKpiStore } from '../../shared/kpi/adapters/redis-store.ts';

const config = loadConfig();
const log = createLogger({ fn: 'cache-write' });

let store: RedisKpiStore | undefined;
let run: (() => Promise<MaterializeResult>) | undefined;

function materializer(): () => Promise<MaterializeResult> {
  if (!run) {
    const s = (store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-cache-write', log));
    run = coalesce(() => materialize(s));
  }
  return run;
}

export default async function handler(event: FnEvent, _context: FnContext): Promise<unknown> {
  const notices = decodeEvent(event).messages;
  const r = await materializer()();
  return { notices: notices.length, version: r.version, written: r.written, orders: r.orders };
}

export async function health(): Promise<unknown> {
  materializer();
  await store?.ping();
  return { status: 'ok' };
}

export async function shutdown(): Promise<void> {
  const s = store;
  store = undefined;
  run = undefined;
  await s?.close();
}
