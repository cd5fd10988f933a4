import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/platform/args.ts';
import { parsePipelineArgs } from './pipeline-args.ts';

describe('parsePipelineArgs', () => {
  it('runs everything with the dashboard by default', () => {
    expect(parsePipelineArgs([])).toEqual({ dashboard: true, help: false });
  });

  it('reads every flag', () => {
    expect(parsePipelineArgs(['--stack', 'other.yml', '--only', 'ingest,aggregate', '--group-prefix=p-', '--no-dashboard', '--no-cron'])).toEqual({
      stackFile: 'other.yml',
      only: ['ingest', 'aggregate'],
      kafka: { groupPrefix: 'p-' },
      dashboard: false,
      cron: false,
      help: false,
    });
    expect(parsePipelineArgs(['--no-kafka'])).toMatchObject({ kafka: false, dashboard: true });
    expect(parsePipelineArgs(['-h']).help).toBe(true);
  });

  it('--replicas gives processes per function; a malformed count is a usage error', () => {
    expect(parsePipelineArgs(['--replicas', 'ingest=4,aggregate=2']).replicas).toEqual({ ingest: 4, aggregate: 2 });
    expect(parsePipelineArgs(['--replicas', 'ingest=4', '--replicas', 'aggregate=1']).replicas).toEqual({ ingest: 4, aggregate: 1 });
    for (const bad of ['ingest', 'ingest=0', 'ingest=x', 'ingest=65', '=2']) {
      expect(() => parsePipelineArgs(['--replicas', bad]), bad).toThrow(/--replicas: .* must be <function>=<replicas>/);
    }
  });

  it('--connectors-only leaves the dashboard out', () => {
    expect(parsePipelineArgs(['--connectors-only'])).toEqual({ connectorsOnly: true, dashboard: false, help: false });
  });

  it('rejects unknown flags, missing values and contradictions with the usage', () => {
    for (const argv of [['--nope'], ['extra'], ['--only'], ['--only', ''], ['--stack'], ['--no-cron=1'], ['--no-kafka', '--group-prefix', 'p-']]) {
      expect(() => parsePipelineArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
    expect(() => parsePipelineArgs(['--nope'])).toThrow(/^unknown option --nope\n\nUsage: npm run pipeline/);
    expect(() => parsePipelineArgs(['--only'])).toThrow(/--only needs a list of functions/);
  });
});
