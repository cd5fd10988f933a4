import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, ROOT } from '../shared/platform/config.ts';
import { ConfigError } from '../shared/platform/errors.ts';
import { createLogger } from '../shared/platform/log.ts';
import { parseCliArgs, selectFunctions, startConnectors } from './main.ts';
import { loadStack } from './stackfile.ts';

const stack = loadStack(path.join(ROOT, 'stack.yml'), {});
const silent = createLogger({}, () => undefined);

describe('connectors/main.ts flags', () => {
  it('defaults: the project stack.yml, every function, both connectors', () => {
    expect(parseCliArgs([])).toEqual({ stackFile: path.join(ROOT, 'stack.yml'), only: undefined, groupPrefix: undefined, kafka: true, cron: true, help: false });
  });

  it('reads every flag', () => {
    expect(parseCliArgs(['--stack', 'other.yml', '--only', 'ingest, aggregate', '--group-prefix', 'p-', '--no-kafka', '--no-cron'])).toEqual({
      stackFile: path.resolve('other.yml'),
      only: ['ingest', 'aggregate'],
      groupPrefix: 'p-',
      kafka: false,
      cron: false,
      help: false,
    });
    expect(parseCliArgs(['--only=ingest']).only).toEqual(['ingest']);
    expect(parseCliArgs(['-h']).help).toBe(true);
  });

  it('refuses unknown flags, positionals, missing values and an empty --only, saying how to call it', () => {
    for (const bad of [['--connectors-only'], ['ingest'], ['--stack'], ['--only', ','], ['--no-kafka=1']]) {
      expect(() => parseCliArgs(bad), bad.join(' ')).toThrow(ConfigError);
      expect(() => parseCliArgs(bad)).toThrow(/usage: connectors\/main\.ts/);
    }
  });

  it('--only selects functions of the stack and names the unknown ones', () => {
    expect(selectFunctions(stack.functions, undefined, stack.file)).toBe(stack.functions);
    expect(selectFunctions(stack.functions, ['archive-check', 'ingest'], stack.file).map((f) => f.name)).toEqual(['ingest', 'archive-check']);
    expect(() => selectFunctions(stack.functions, ['ingest', 'nope'], stack.file)).toThrow(/no function named nope/);
  });
});

describe('startConnectors (no broker needed)', () => {
  it('starts nothing for functions without triggers, and only what is asked for', async () => {
    const config = loadConfig({});
    const move = stack.functions.filter((f) => f.name === 'archive-move');
    const none = await startConnectors({ config, functions: move, gatewayUrl: 'http://127.0.0.1:9', log: silent });
    expect([none.kafka, none.cron]).toEqual([undefined, undefined]);
    await none.stop();

    const check = stack.functions.filter((f) => f.name === 'archive-check' || f.name === 'ingest');
    const cronOnly = await startConnectors({ config, functions: check, gatewayUrl: 'http://127.0.0.1:9', log: silent, kafka: false });
    expect(cronOnly.kafka).toBeUndefined();
    expect(cronOnly.cron).toBeDefined();
    await cronOnly.stop();

    const off = await startConnectors({ config, functions: check, gatewayUrl: 'http://127.0.0.1:9', log: silent, kafka: false, cron: false });
    expect([off.kafka, off.cron]).toEqual([undefined, undefined]);
  });
});
