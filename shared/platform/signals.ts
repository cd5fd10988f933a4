/**
 * Stop a long-running process once, cleanly, on SIGINT or SIGTERM (or when asked): run `stop`,
 * then exit 0, or 1 when stopping failed. A second signal while stopping is ignored, so the
 * clean shutdown is never cut short. Used by every process entry point (function template,
 * connectors, local pipeline).
 */
import type { Logger } from './log.ts';

export function stopOnSignals(stop: () => Promise<void>, log: Logger, fields: () => Record<string, unknown> = () => ({})): (reason: string) => void {
  let stopping = false;
  const trigger = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal: reason, ...fields() });
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => trigger('SIGINT'));
  process.on('SIGTERM', () => trigger('SIGTERM'));
  return trigger;
}
