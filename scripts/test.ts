/**
 * `npm test` after type-check and lint: starts the real local services (installing them on a
 * fresh machine), runs every test with vitest, and stops the services it started itself.
 * Services already running (a developer's warm stack) are left running.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';

const log = createLogger({ component: 'test-runner' });
const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const vitest = path.join(ROOT, 'node_modules', '.bin', 'vitest');

function run(cmd: string, args: string[], what: string): number {
  const started = Date.now();
  log.info(`${what}…`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  log.info(`${what} finished`, { exit: r.status, seconds: Math.round((Date.now() - started) / 100) / 10 });
  return r.status ?? 1;
}

function stackStatusHealthy(): boolean {
  const r = spawnSync(tsx, ['dev/stack/cli.ts', 'status', '--all'], { cwd: ROOT, stdio: 'ignore' });
  return r.status === 0;
}

const wasUp = stackStatusHealthy();
if (!wasUp && run(tsx, ['dev/stack/cli.ts', 'up', '--all'], 'starting the local stack (installs on first run)') !== 0) {
  log.error('the local stack did not start: see the service log named above, then `npm run stack -- status`');
  process.exit(1);
}
if (run(tsx, ['tests/browser-setup.ts'], 'checking test tools (chromium, wrk)') !== 0) process.exit(1);

const extra = process.argv.slice(2);
const report = path.join(ROOT, '.local', 'vitest-report.json');
mkdirSync(path.dirname(report), { recursive: true });
rmSync(report, { force: true });
const code = run(vitest, ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], 'running tests');
// One plain closing line with the counts, whatever the reporter printed above it.
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  process.stdout.write(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`);
}
if (!wasUp) run(tsx, ['dev/stack/cli.ts', 'down'], 'stopping the local stack');
process.exit(code);
