/** Command-line options of `npm run demo` (parsed and validated; pure). */
import { commandLine } from '../shared/platform/args.ts';

export interface DemoArgs {
  rate: number;
  seed: number;
  duration: number | undefined;
  help: boolean;
}

export const USAGE = `Usage: npm run demo -- [options]

Starts the local stack, the pipeline (gateway, functions, connectors, dashboard) and the generator.

  --rate N              orders per second (default 200)
  --seed S              generator seed, integer >= 0 (default 1)
  --duration SECONDS    stop the generator after this long (default: until Ctrl-C)
  -h, --help            this text`;

const cli = commandLine({
  usage: USAGE,
  options: {
    rate: { type: 'number', min: 0 },
    seed: { type: 'number', min: 0, integer: true },
    duration: { type: 'number', min: 0 },
    help: { type: 'boolean', short: 'h' },
  },
});

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values } = cli.parse(argv);
  return { rate: values.rate ?? 200, seed: values.seed ?? 1, duration: values.duration, help: values.help ?? false };
}
