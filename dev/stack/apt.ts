/**
 * Debian packages, installed with apt-get when their binary is missing (root on these machines).
 * The one place that runs apt-get: redis-server for the stack, chromium and wrk for the browser
 * test and the benchmarks. `apt-get update` runs only when the first install attempt fails.
 */
import { existsSync } from 'node:fs';
import { ServiceError } from '../../shared/platform/errors.ts';
import type { Logger } from '../../shared/platform/log.ts';
import { run } from './proc.ts';

export interface AptNeed {
  /** Absolute path of the binary the package provides. */
  bin: string;
  pkg: string;
}

const TEN_MINUTES = 10 * 60_000;

export async function ensureAptPackages(needs: AptNeed[], log?: Logger): Promise<void> {
  const missing = needs.filter((n) => !existsSync(n.bin));
  if (missing.length === 0) return;
  const pkgs = missing.map((n) => n.pkg);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env, timeoutMs: TEN_MINUTES }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: (e as Error).message }));
  log?.info('installing Debian packages (apt-get)…', { packages: pkgs });
  let r = await install();
  if (r.code !== 0) {
    log?.info('apt-get install failed; running apt-get update and trying again…');
    await run('apt-get', ['update', '-q'], { env, timeoutMs: TEN_MINUTES }).catch(() => undefined);
    r = await install();
  }
  if (r.code !== 0) {
    const out = (r.stdout + r.stderr).trim().split('\n').slice(-15).join('\n');
    throw new ServiceError('apt', `apt-get install ${pkgs.join(' ')} failed (exit ${r.code}; are you root? try: apt-get update && apt-get install -y ${pkgs.join(' ')}):\n${out}`);
  }
  for (const n of missing) if (!existsSync(n.bin)) throw new ServiceError('apt', `${n.pkg} installed but ${n.bin} is missing`);
}
