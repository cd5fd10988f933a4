/**
 * Installs the Debian tools the browser test and the KPI benchmark need, when missing:
 * `chromium` (driven by playwright-core through executablePath) and `wrk` (HTTP load).
 * Runnable: `tsx tests/browser-setup.ts` (the test runner / CI may call it once up front);
 * the browser test and bench/kpi.ts also call `ensureDebianTools()` themselves.
 */
import { ensureAptPackages } from '../dev/stack/apt.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const WRK = '/usr/bin/wrk';

const TOOLS: Record<string, { bin: string; pkg: string }> = {
  chromium: { bin: CHROMIUM, pkg: 'chromium' },
  wrk: { bin: WRK, pkg: 'wrk' },
};

/** apt-get install the named tools that are missing (root, Debian). Throws with what to do. */
export async function ensureDebianTools(names: (keyof typeof TOOLS)[] = ['chromium', 'wrk']): Promise<void> {
  await ensureAptPackages([...names.map((n) => TOOLS[n]!), { bin: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', pkg: 'fonts-dejavu-core' }]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureDebianTools();
  process.stdout.write(`chromium: ${CHROMIUM}, wrk: ${WRK}\n`);
}
