import { ValidationError } from '../shared/platform/errors.ts';

export interface DemoArgs {
  rate: number;
  seed: number;
  duration: number | undefined;
}

const USAGE = 'Usage: npm run demo -- [--rate N (default 200)] [--seed S (default 1)] [--duration SECONDS]';

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const out: DemoArgs = { rate: 200, seed: 1, duration: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const n = Number(value);
    if (flag !== '--rate' && flag !== '--seed' && flag !== '--duration') throw new ValidationError('usage', `unknown option ${flag}\n${USAGE}`);
    if (value === undefined || !Number.isFinite(n) || n < 0) throw new ValidationError('usage', `${flag} needs a number ≥ 0\n${USAGE}`);
    if (flag === '--rate') out.rate = n;
    else if (flag === '--seed') out.seed = Math.trunc(n);
    else out.duration = n;
    i++;
  }
  return out;
}
