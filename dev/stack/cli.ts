/**
 * `npm run stack -- up|down|status|reset [--all] [--only name[,name]] [--json] [--help]`
 * Human output on stdout, structured logs on stderr. Exit 0 on success; 1 when a service
 * fails to start or a requested service is unhealthy; 2 on bad usage.
 */
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../shared/platform/config.ts';
import { OrderPulseError } from '../../shared/platform/errors.ts';
import { commandLine, UsageError } from '../../shared/platform/args.ts';
import { createLogger } from '../../shared/platform/log.ts';
import type { ServiceStatus } from './service.ts';
import { stackDown, stackReset, stackStatus, stackUp } from './api.ts';
import { SERVICES } from './services.ts';

export { stackDown, stackReset, stackStatus, stackUp } from './api.ts';

export type Command = 'up' | 'down' | 'status' | 'reset' | 'help';

export interface CliArgs {
  command: Command;
  all: boolean;
  only: string[];
  json: boolean;
}

export { UsageError } from '../../shared/platform/args.ts';

export const USAGE = `usage: npm run stack -- <command> [options]
commands:
  up       install (cached) and start the core services: kafka, ferretdb, redis
  down     stop every service this stack started
  status   table of services; exit 1 when a requested service is unhealthy
  reset    down, then delete local data (data dirs, logs, local archive); keeps jars and binaries
options:
  --all               also the cold-path services (hdfs, hive, spark)
  --only a[,b]        only these services (kafka, ferretdb|mongo, redis, hdfs, hive, spark)
  --json              status as JSON
  -h, --help          this text`;

const COMMANDS: readonly Command[] = ['up', 'down', 'status', 'reset', 'help'];

const cli = commandLine({
  usage: USAGE,
  positionals: 1,
  options: {
    all: { type: 'boolean' },
    only: { type: 'list', value: 'a list of services, e.g. --only kafka,redis' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

export function parseArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = cli.parse(argv);
  const [command = 'help'] = positionals;
  if (!(COMMANDS as readonly string[]).includes(command)) cli.fail(`unknown command ${command}; commands: up, down, status, reset`);
  return { command: values.help ? 'help' : (command as Command), all: values.all ?? false, only: values.only ?? [], json: values.json ?? false };
}

/** A plain-text table of statuses. */
export function formatStatusTable(rows: readonly ServiceStatus[]): string {
  const head = ['SERVICE', 'RUNNING', 'HEALTHY', 'PID', 'ENDPOINT', 'LOG'];
  const body = rows.map((r) => [r.name, r.running ? 'yes' : 'no', r.healthy ? 'yes' : 'no', r.pid === undefined ? '-' : String(r.pid), r.endpoint, r.logFile + (r.detail ? `  (${r.detail})` : '')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  const config = loadConfig();
  const log = createLogger({ component: 'stack' });
  const opts = { all: args.all, only: args.only, config, log };
  switch (args.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'up': {
      const t0 = Date.now();
      const res = await stackUp(opts);
      const rows = await stackStatus(opts);
      process.stdout.write(`${formatStatusTable(rows)}\n`);
      process.stdout.write(`stack up: ${res.map((r) => r.name).join(', ')} healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    case 'down':
      await stackDown(opts);
      process.stdout.write('stack down: stopped\n');
      return 0;
    case 'reset': {
      const removed = await stackReset(opts);
      process.stdout.write(`stack reset: stopped; deleted ${removed.length === 0 ? 'nothing (already clean)' : removed.join(', ')}\n`);
      return 0;
    }
    case 'status': {
      const requested = await stackStatus(opts);
      let rows = requested;
      if (args.only.length === 0 && !args.all) {
        // Also show cold-path services that happen to be running (informational, not required).
        const cold = await stackStatus({ ...opts, only: SERVICES.filter((s) => s.group === 'cold').map((s) => s.name) });
        rows = [...requested, ...cold.filter((c) => c.running)];
      }
      if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(`${formatStatusTable(rows)}\n`);
      const bad = requested.filter((r) => !r.healthy);
      if (bad.length > 0 && !args.json) process.stdout.write(`unhealthy: ${bad.map((b) => b.name).join(', ')} (start with: npm run stack -- up${args.only.length > 0 ? ` --only ${args.only.join(',')}` : args.all ? ' --all' : ''})\n`);
      return bad.length === 0 ? 0 : 1;
    }
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const msg = e instanceof OrderPulseError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`\nnpm run stack -- ${process.argv.slice(2).join(' ')} failed:\n${msg}\n`);
      process.exitCode = 1;
    },
  );
}
