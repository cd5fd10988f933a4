/**
 * Installs the Debian tools the browser test and the KPI benchmark need, when missing:
 * `chromium` (driven by playwright-core through executablePath) and `wrk` (HTTP load).
 * Runnable: `tsx tests/browser-setup.ts` (the test runner / CI may call it once up front);
 * the browser test and bench/kpi.ts also call `ensureDebianTools()` themselves.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const WRK = '/usr/bin/wrk';

const TOOLS: Record<string, { bin: string; pkg: string }> = {
  chromium: { bin: CHROMIUM, pkg: 'chromium' },
  wrk: { bin: WRK, pkg: 'wrk' },
};

/** apt-get install the named tools that are missing (root, Debian). Throws with what to do. */
export function ensureDebianTools(names: (keyof typeof TOOLS)[] = ['chromium', 'wrk']): void {
  const missing = names.map((n) => TOOLS[n]!).filter((t) => !existsSync(t.bin));
  if (missing.length === 0) return;
  const pkgs = missing.map((t) => t.pkg);
  process.stderr.write(`[setup] installing Debian packages: ${pkgs.join(' ')} (apt-get; about a minute)\n`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs, 'fonts-dejavu-core'], { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 600_000 });
  } catch (cause) {
    throw new Error(`could not install ${pkgs.join(', ')} with apt-get (run as root on Debian: apt-get update && apt-get install -y ${pkgs.join(' ')})`, { cause });
  }
  for (const t of missing) if (!existsSync(t.bin)) throw new Error(`${t.pkg} installed but ${t.bin} is missing`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureDebianTools();
  process.stdout.write(`chromium: ${CHROMIUM}, wrk: ${WRK}\n`);
}
