/** Debian packages, installed with apt-get when their binary is missing (root on these machines). */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ServiceError } from '../shared/errors.ts';
import { createLogger } from '../shared/log.ts';

const log = createLogger({ component: 'apt' });

export interface AptNeed {
  bin: string;
  pkg: string;
}

function aptGet(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export async function ensureAptPackages(needs: AptNeed[]): Promise<void> {
  const missing = needs.filter((n) => !existsSync(n.bin));
  if (missing.length === 0) return;
  const pkgs = missing.map((n) => n.pkg);
  log.info('installing Debian packages', { packages: pkgs });
  let r = aptGet(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
  if (!r.ok) {
    log.info('apt-get install failed; refreshing package lists (apt-get update) and retrying');
    const u = aptGet(['update', '-q']);
    if (!u.ok) throw new ServiceError('apt', `apt-get update failed: ${u.out.slice(-500)}`);
    r = aptGet(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
  }
  if (!r.ok) throw new ServiceError('apt', `apt-get install ${pkgs.join(' ')} failed (are you root?): ${r.out.slice(-800)}`);
  for (const n of missing) if (!existsSync(n.bin)) throw new ServiceError('apt', `${n.pkg} installed but ${n.bin} is missing`);
}
