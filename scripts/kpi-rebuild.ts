/**
 * `npm run kpi:rebuild [-- --wait S]`: re-apply every accepted order (MongoDB orders_fact, then the
 * archive) to the Redis KPI counters through the same exactly-once script as live events, set
 * the epoch marker, and re-materialise the views. Safe at any time, also while the pipeline runs:
 * nothing is double counted. The same job as the kpi-rebuild function (shared/kpi/rebuild-job.ts),
 * run in-process and always (forced): use it after Redis lost data when the pipeline is not
 * running (aggregate asks kpi-rebuild by itself when it sees the epoch marker missing) or to
 * reconcile after any doubt.
 * Environment: REDIS_URL, MONGO_URL, MONGO_DB, ARCHIVE_URL, KPI_PREFIX (see README).
 */
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { materialize } from '../shared/kpi/materialize.ts';
import { runRebuildJob } from '../shared/kpi/rebuild-job.ts';
import { RedisKpiStore, leaseToken } from '../shared/kpi/adapters/redis-store.ts';
import { kpiWriterOptions } from '../shared/kpi/adapters/open.ts';
import { openRebuildSources } from '../shared/kpi/adapters/rebuild-sources.ts';

const USAGE = `Usage: npm run kpi:rebuild [-- --wait SECONDS]
  --wait S  when another rebuild holds the lease, retry for up to S seconds (default 0: fail)`;

const cli = commandLine({ usage: USAGE, options: { wait: { type: 'number', min: 0 }, help: { type: 'boolean', short: 'h' } } });

async function main(): Promise<number> {
  const waitS = cli.parseOrExit(process.argv.slice(2)).values.wait ?? 0;
  const config = loadConfig();
  const log = createLogger({ cmd: 'kpi:rebuild' });
  const store = RedisKpiStore.open(config.redisUrl, config.kpiPrefix, 'orderpulse-kpi-rebuild', log, kpiWriterOptions(config));
  try {
    await store.ping();
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    process.once('SIGTERM', () => abort.abort());
    const r = await runRebuildJob(
      {
        store,
        openSources: () => openRebuildSources(config, log),
        materialize: () => materialize(store),
        log,
        who: 'kpi:rebuild',
        token: () => leaseToken('kpi:rebuild'),
        signal: abort.signal,
        progress: (p) => {
          process.stderr.write(`\r  ${p.source}: ${p.scanned} orders read, ${p.applied} newly counted   `);
        },
      },
      { force: true, waitMs: waitS * 1000 },
    );
    process.stderr.write('\n');
    if (r.status === 'busy') {
      const st = await store.getRebuildStatus();
      process.stdout.write(`another KPI rebuild is running (${st ? `${st.by} since ${st.started_at}, ${st.scanned} read` : 'lease held'}); try again later or pass --wait 600\n`);
      return 2;
    }
    if (r.status === 'aborted') {
      process.stdout.write('KPI rebuild interrupted; nothing is wrong with the KPIs counted so far. Run it again to finish.\n');
      return 130;
    }
    if (r.status === 'current') return 0; // not reached: forced
    const m = r.views;
    process.stdout.write(
      `KPI rebuild done in ${(r.ms / 1000).toFixed(1)} s: ${r.scanned} orders read (${Object.entries(r.sources)
        .map(([k, v]) => `${k}: ${v.scanned}`)
        .join(', ')}), ${r.applied} were missing and are now counted, ${r.invalid} invalid; views v${m.version} show ${m.orders} orders\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    createLogger({ cmd: 'kpi:rebuild' }).error('KPI rebuild failed; are Redis and MongoDB up? (npm run stack -- status)', { err });
    process.exit(1);
  },
);
