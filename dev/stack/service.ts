/**
 * A local service managed by `npm run stack -- up|down|status|reset`.
 * Each implementation installs itself (cached under .local/), starts as a detached process
 * with its log and data under .local/, answers a protocol-level health check, and stops cleanly.
 */
import type { Config } from '../../shared/platform/config.ts';
import type { Logger } from '../../shared/platform/log.ts';

export interface ServiceContext {
  config: Config;
  log: Logger;
  /** .local/<service>/ : data, logs, pid file for this service. */
  dir: string;
}

export interface ServiceStatus {
  name: string;
  running: boolean;
  healthy: boolean;
  pid?: number;
  endpoint: string;
  logFile: string;
  detail?: string;
}

export interface ServiceDef {
  name: string;
  /** Part of the default set (`up`), only with `up --all` (cold path), or only by name (`--only`; e.g. the benchmark's peer). */
  group: 'core' | 'cold' | 'opt-in';
  /** Install (idempotent, cached; fast when already installed). */
  install(ctx: ServiceContext): Promise<void>;
  /** Start if not healthy already; resolve once the health check passes; throw ServiceError naming the log otherwise. */
  start(ctx: ServiceContext): Promise<void>;
  /** Stop cleanly (SIGTERM, then SIGKILL after a timeout); idempotent. */
  stop(ctx: ServiceContext): Promise<void>;
  status(ctx: ServiceContext): Promise<ServiceStatus>;
  /** Protocol-level health: true when the service answers its protocol. */
  healthy(ctx: ServiceContext): Promise<boolean>;
}
