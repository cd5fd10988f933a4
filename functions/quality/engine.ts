/**
 * The analytics engine of the quality function: the configured engine's factory
 * (ANALYTICS_ENGINE, shared/analytics/adapters/open.ts `openEngine(config, log)`).
 * MERGE NOTE: that factory is written on another branch; at merge this file becomes
 *   export { openEngine } from '../../shared/analytics/adapters/open.ts';
 * Until then the function answers a clear 500 when asked to run a check.
 */
import type { AnalyticsEngine } from '../../shared/analytics/engine.ts';
import type { Config } from '../../shared/platform/config.ts';
import { ConfigError } from '../../shared/platform/errors.ts';
import type { Logger } from '../../shared/platform/log.ts';

export function openEngine(config: Config, _log: Logger): Promise<AnalyticsEngine> {
  return Promise.reject(new ConfigError(`no analytics engine in this build for ANALYTICS_ENGINE=${config.analyticsEngine} (shared/analytics/adapters/open.ts is missing)`));
}
