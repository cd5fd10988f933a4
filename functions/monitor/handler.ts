/**
 * monitor (no trigger): GET (or POST) answers one reading for the monitoring DAGs (docs/airflow.md):
 * Kafka consumer lag of the connector's groups `<group_prefix><function>` per topic and partition
 * (end offset − committed offset), the hot store's order count and size, the archive's files and
 * bytes. `?group_prefix=` (default "orderpulse-"). A part that cannot be read carries `error`.
 * Thin: parse, call shared/monitor/monitor.ts, answer.
 */
import { defineFunction } from '../../shared/platform/function.ts';
import { parseGroupPrefix, readMonitor } from '../../shared/monitor/monitor.ts';
import { openMonitorRuntime } from '../../shared/monitor/adapters/open.ts';

const fn = defineFunction({
  name: 'monitor',
  open: (config, log) => openMonitorRuntime(config, log),
  parse: (event) => parseGroupPrefix(event.query, event.body),
  handle: (groupPrefix, _ctx, rt) => readMonitor(rt.deps, { groupPrefix }),
  close: (rt) => rt.close(),
});

export default fn.handler;
export const health = fn.health;
export const shutdown = fn.shutdown;
