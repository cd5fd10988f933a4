/**
 * The test runner behind `npm test` and `npm run test:unit` (both through scripts/bootstrap.mjs,
 * so everything here runs on Node 24).
 *
 *   npm run test:unit   the unit tier: every `*.test.ts` that is not `*.int.test.ts`. No services,
 *                       no root, no network beyond loopback sockets a test opens itself.
 *   npm test            type-check, lint, the unit tier, then start the real local services
 *                       (installing them on a fresh machine), the integration tier
 *                       (`*.int.test.ts`), and stop the services it started itself. Services already
 *                       running (a developer's warm stack) are left running.
 *
 * Extra arguments go to vitest (e.g. a file filter). Both end with one plain line counting every
 * test of the tiers that ran: `tests: N passed, N failed, N skipped` (CI reads it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';

const log = createLogger({ component: 'test-runner' });
const bin = (name: string): string => path.join(ROOT, 'node_modules', '.bin', name);

function run(cmd: string, args: string[], what: string): number {
  const started = Date.now();
  log.info(`${what}…`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  log.info(`${what} finished`, { exit: r.status, seconds: Math.round((Date.now() - started) / 100) / 10 });
  return r.status ?? 1;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs one vitest project; the counts come from its JSON report (undefined when vitest died before writing it). */
function runTier(project: 'unit' | 'integration', extra: string[]): { code: number; counts: Counts | undefined } {
  const report = path.join(ROOT, '.local', `vitest-${project}.json`);
  mkdirSync(path.dirname(report), { recursive: true });
  rmSync(report, { force: true });
  const code = run(bin('vitest'), ['run', '--project', project, '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], `running the ${project} tests`);
  if (!existsSync(report)) return { code: code === 0 ? 1 : code, counts: undefined };
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { status: string; assertionResults: { status: string }[] }[];
  };
  // A file that failed outside its tests (a failing beforeAll, an import error) leaves its tests
  // "skipped": count them as failed, and such a file with no test as one failure.
  let hookFailed = 0;
  let hookSkipped = 0;
  for (const f of r.testResults) {
    if (f.status !== 'failed' || f.assertionResults.some((a) => a.status === 'failed')) continue;
    const notRun = f.assertionResults.filter((a) => a.status !== 'passed').length;
    hookSkipped += notRun;
    hookFailed += Math.max(notRun, 1);
  }
  return { code, counts: { passed: r.numPassedTests, failed: r.numFailedTests + hookFailed, skipped: r.numPendingTests + r.numTodoTests - hookSkipped } };
}

/** Names of the stack's services (--all) that are running and healthy now. */
function healthyServices(): string[] {
  const r = spawnSync(bin('tsx'), ['dev/stack/cli.ts', 'status', '--all', '--json'], { cwd: ROOT, encoding: 'utf8' });
  try {
    return (JSON.parse(r.stdout) as { name: string; healthy: boolean }[]).filter((s) => s.healthy).map((s) => s.name);
  } catch {
    return [];
  }
}

const argv = process.argv.slice(2);
const unitOnly = argv.includes('--unit');
const extra = argv.filter((a) => a !== '--unit');

if (!unitOnly) {
  if (run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], 'type-checking') !== 0) process.exit(1);
  if (run(bin('eslint'), ['--max-warnings', '0', '.'], 'linting') !== 0) process.exit(1);
}

const tiers = [runTier('unit', extra)];
/** Services this run started (and stops at the end); what was up before is left running. */
let started: string[] = [];
if (!unitOnly) {
  // The integration tier runs even when unit tests failed, so one run reports every failure.
  const before = healthyServices();
  const wasUp = before.length > 0 && spawnSync(bin('tsx'), ['dev/stack/cli.ts', 'status', '--all'], { cwd: ROOT, stdio: 'ignore' }).status === 0;
  if (!wasUp && run(bin('tsx'), ['dev/stack/cli.ts', 'up', '--all'], 'starting the local stack (installs on first run)') !== 0) {
    log.error('the local stack did not start: see the service log named above, then `npm run stack -- status`');
    process.exit(1);
  }
  if (!wasUp) started = healthyServices().filter((n) => !before.includes(n));
  if (run(bin('tsx'), ['tests/browser-setup.ts'], 'checking test tools (chromium, wrk)') !== 0) process.exit(1);
  tiers.push(runTier('integration', extra));
}

// One plain closing line with the counts of every tier, whatever the reporters printed above it.
const total = tiers.reduce<Counts>((t, x) => ({ passed: t.passed + (x.counts?.passed ?? 0), failed: t.failed + (x.counts?.failed ?? 0), skipped: t.skipped + (x.counts?.skipped ?? 0) }), { passed: 0, failed: 0, skipped: 0 });
if (tiers.some((t) => t.counts === undefined)) log.error('a test tier ended without a report (vitest failed to start or crashed): see its output above');
process.stdout.write(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
if (started.length > 0) run(bin('tsx'), ['dev/stack/cli.ts', 'down', '--only', started.join(',')], `stopping what this run started (${started.join(', ')})`);
process.exit(tiers.find((t) => t.code !== 0)?.code ?? 0);
