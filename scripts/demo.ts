/**
 * `npm run demo`: on a fresh clone, installs and starts the local stack, the pipeline (gateway,
 * functions, connectors, dashboard), loads seeded history of the past days through the pipeline
 * (scripts/demo-history.ts: the older part archived, the History section computed), then starts
 * the live generator at "now" and prints the dashboard URL.
 * Ctrl-C stops the generator and the pipeline; the stack keeps running (`npm run stack -- down`).
 *
 *   npm run demo -- [--rate N] [--seed S] [--duration SECONDS] [--history-days D]
 *                   [--history-orders N] [--archive-older-than D] [--no-history] [--help]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { startPipeline } from '../dev/local/pipeline.ts';
import { stackUp } from '../dev/stack/api.ts';
import { parseOrExit } from '../shared/platform/args.ts';
import { parseDemoArgs, USAGE } from './demo-args.ts';
import { loadHistory } from './demo-history.ts';

/** Mean minutes between flash sales in the live stream (and the history's last hour). */
const FLASH_EVERY_MINUTES = 5;

const log = createLogger({ component: 'demo' });
const args = parseOrExit(USAGE, () => parseDemoArgs(process.argv.slice(2)), (a) => a.help);

log.info('starting the local stack (first run installs Kafka, FerretDB and Redis; later runs take seconds)');
await stackUp({});
const pipeline = await startPipeline({ dashboard: true, log });
const url = pipeline.dashboardUrl ?? `http://127.0.0.1:3000`;

let stopping = false;
let generator: ChildProcess | undefined;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info('stopping the demo');
  if (generator && generator.exitCode === null) generator.kill('SIGTERM');
  await pipeline.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

if (args.history) {
  process.stdout.write(`\nLoading ${args.historyDays} days of history (about ${args.historyOrders} orders) through the pipeline; watch it fill: ${url}/\n\n`);
  try {
    await loadHistory(
      { config: pipeline.config, gatewayUrl: pipeline.gatewayUrl },
      { days: args.historyDays, orders: args.historyOrders, archiveOlderThanDays: args.archiveOlderThanDays, seed: args.seed, liveFlashEveryMinutes: FLASH_EVERY_MINUTES },
      log,
    );
  } catch (err) {
    if (!stopping) log.error('loading the history failed; going live without it', { err });
  }
}

if (!stopping) {
  // The live run starts at "now" on the demo seed; the history used other seeds (seed + 1,000,000
  // and + 2,000,000), and the seed is part of every order id, so live and history ids never collide.
  const genArgs = ['scripts/generate.ts', '--rate', String(args.rate), '--seed', String(args.seed), '--dup-rate', '0.01', '--bad-rate', '0.005', '--flash-every', String(FLASH_EVERY_MINUTES)];
  if (args.duration !== undefined) genArgs.push('--duration', String(args.duration));
  generator = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), genArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  process.stdout.write(`\nOrderPulse demo is running.\n  Dashboard: ${url}/\n  Gateway:   ${pipeline.gatewayUrl}/system/functions  (basic auth: user ${pipeline.gatewayCredentials?.user ?? 'admin'}, password in ${pipeline.config.gatewayPassword ? 'GATEWAY_PASSWORD' : pipeline.config.gatewayPasswordFile})\n  Generator: ${args.rate} orders/s (seed ${args.seed}), 1% duplicates, 0.5% malformed (→ orders.dlq)\nCtrl-C stops the demo; \`npm run stack -- down\` stops the services.\n\n`);
  generator.on('exit', (code) => {
    if (args.duration !== undefined) {
      log.info('generator finished; the dashboard stays up until Ctrl-C', { exit: code });
    } else if (!stopping) {
      log.error('generator exited unexpectedly', { exit: code });
      void stop(1);
    }
  });
}
