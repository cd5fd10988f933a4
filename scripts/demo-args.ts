/** Command-line options of `npm run demo` (parsed and validated; pure). */
import { commandLine } from '../shared/platform/args.ts';

export interface DemoArgs {
  rate: number;
  seed: number;
  duration: number | undefined;
  /** History phase: event time covered (days before now), about how many orders, archive cutoff; days 0 = none. */
  historyDays: number;
  historyOrders: number;
  archiveOlderThanDays: number;
  history: boolean;
  help: boolean;
}

export const DEFAULT_HISTORY_DAYS = 3;
export const DEFAULT_HISTORY_ORDERS = 100_000;
export const DEFAULT_ARCHIVE_OLDER_THAN_DAYS = 1;

export const USAGE = `Usage: npm run demo -- [options]

Starts the local stack and the pipeline (gateway, functions, connectors, dashboard), loads seeded
history of the past days through the pipeline (the older part archived), then starts the live
generator.

  --rate N                   live orders per second (default 20: about the history's own evening rate, so the per-minute chart stays readable and the minute-cadence analytics keep up on FerretDB)
  --seed S                   generator seed, integer >= 0 (default 1)
  --duration SECONDS         stop the live generator after this long (default: until Ctrl-C)
  --history-days D           history before now, in days (default ${DEFAULT_HISTORY_DAYS})
  --history-orders N         about this many history orders (default ${DEFAULT_HISTORY_ORDERS}; ~1 minute here)
  --archive-older-than D     archive the history orders older than D days (default ${DEFAULT_ARCHIVE_OLDER_THAN_DAYS}; 0 = none)
  --no-history               go live at once (also skipped when the KPIs already count orders)
  -h, --help                 this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    rate: { type: 'number', min: 0 },
    seed: { type: 'number', min: 0, integer: true },
    duration: { type: 'number', min: 0 },
    'history-days': { type: 'number', min: 0.01, max: 3650 },
    'history-orders': { type: 'number', min: 1, max: 100_000_000, integer: true },
    'archive-older-than': { type: 'number', min: 0, max: 3650 },
    'no-history': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values: v } = cli.parse(argv);
  return {
    rate: v.rate ?? 20,
    seed: v.seed ?? 1,
    duration: v.duration,
    historyDays: v['history-days'] ?? DEFAULT_HISTORY_DAYS,
    historyOrders: v['history-orders'] ?? DEFAULT_HISTORY_ORDERS,
    archiveOlderThanDays: v['archive-older-than'] ?? DEFAULT_ARCHIVE_OLDER_THAN_DAYS,
    history: !(v['no-history'] ?? false),
    help: v.help ?? false,
  };
}
