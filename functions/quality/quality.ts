/**
 * The quality function, built around an analytics engine factory (handler.ts passes the
 * configured engine's; tests may pass another real engine):
 *   POST  run a check now (shared/quality/check.ts): a fresh batch run of the engine (its
 *         history saved too), the live KPI views compared field by field, the DLQ counted by
 *         reason; the report is saved (GET /api/quality) and answered with status 200 whatever
 *         it found: callers (Airflow's data_quality_monitoring) fail on `mismatches > 0`.
 *         A check already running is joined, not started twice.
 *   GET   the last stored report (404 before the first).
 * /_/health is the default (`ok` without opening anything: opening the engine is the check's business).
 */
import { defineFunction, type DefineOptions, type FunctionModule } from '../../shared/platform/function.ts';
import { NotFoundError } from '../../shared/platform/errors.ts';
import type { QualityOptions } from '../../shared/quality/check.ts';
import { openQualityRuntime, type EngineFactory, type QualityRuntime } from '../../shared/quality/adapters/open.ts';
import type { QualityCheckReport } from '../../shared/quality/types.ts';

interface Clients {
  rt: QualityRuntime;
  running: Promise<QualityCheckReport> | undefined;
}

export function qualityFunction(openEngine: EngineFactory, opts: DefineOptions & { check?: QualityOptions } = {}): FunctionModule {
  return defineFunction(
    {
      name: 'quality',
      open: async (config, log): Promise<Clients> => ({ rt: await openQualityRuntime(config, log, openEngine), running: undefined }),
      parse: (event) => (event.method === 'GET' ? ('status' as const) : ('check' as const)),
      async handle(request, _ctx, c) {
        if (request === 'check') {
          c.running ??= c.rt.check(opts.check).finally(() => (c.running = undefined));
          return await c.running;
        }
        const last = await c.rt.results.loadQuality();
        if (!last) throw new NotFoundError('no quality report yet (POST /function/quality runs a check; Airflow data_quality_monitoring runs it on schedule)');
        return last;
      },
      async close(c) {
        await c.running?.catch(() => undefined);
        await c.rt.close();
      },
    },
    opts,
  );
}
