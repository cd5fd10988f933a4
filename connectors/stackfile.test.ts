import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadStack, parseDuration, parseStack, substituteEnv } from './stackfile.ts';
import { ROOT } from '../shared/platform/config.ts';
import { ConfigError } from '../shared/platform/errors.ts';

const base = `version: 1.0
provider:
  name: openfaas
  gateway: http://127.0.0.1:8080
functions:
`;
const parse = (fns: string, env: Record<string, string> = {}) => parseStack(base + fns, 'test.yml', '/repo', env);

describe('stack.yml parsing', () => {
  it('reads the project stack.yml: the node24-ts functions with their triggers', () => {
    const s = loadStack(path.join(ROOT, 'stack.yml'), {});
    const byName = Object.fromEntries(s.functions.map((f) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(['aggregate', 'alert-deliver', 'alert-detect', 'analytics', 'archive-check', 'archive-move', 'cache-write', 'ingest', 'kpi-rebuild', 'monitor', 'quality']);
    for (const f of s.functions) {
      expect(f.lang).toBe('node24-ts');
      expect(f.image).toBe(`orderpulse/${f.name}:latest`);
      expect(f.handlerFile).toBe(path.join(ROOT, 'functions', f.name, 'handler.ts'));
    }
    expect(byName.ingest!.topics).toEqual(['orders']);
    expect(byName.aggregate!.topics).toEqual(['orders.accepted']);
    expect(byName['cache-write']!.topics).toEqual(['kpi.deltas']);
    // the alert detectors: the accepted stream and a cron tick ("orders stopped arriving")
    expect(byName['alert-detect']!.topics).toEqual(['orders.accepted']);
    expect(byName['alert-detect']!.cron?.expression).toBe('* * * * *');
    expect(byName['alert-detect']!.scale).toEqual({ min: 1, max: 1 });
    expect(byName['archive-check']!.topics).toEqual([]);
    expect(byName['archive-check']!.cron?.expression).toBe('* * * * *');
    expect(byName['archive-move']!.topics).toEqual([]);
    expect(byName['archive-move']!.cron).toBeUndefined();
    expect(byName['archive-move']!.timeoutMs).toBe(15 * 60_000);
    expect(byName['kpi-rebuild']!.topics).toEqual([]);
    expect(byName['kpi-rebuild']!.cron).toBeUndefined();
    expect(byName['kpi-rebuild']!.timeoutMs).toBe(30 * 60_000);
    // Airflow's data_quality_monitoring (or a POST) runs it: no trigger of its own
    expect(byName.quality!.topics).toEqual([]);
    expect(byName.quality!.cron).toBeUndefined();
    expect(byName.analytics!.topics).toEqual([]);
    expect(byName.analytics!.cron?.expression).toBe('* * * * *');
    // Scaling labels: the Kafka-triggered stages may scale out, the singletons may not.
    expect(byName.ingest!.scale).toEqual({ min: 1, max: 8 });
    expect(byName.aggregate!.scale).toEqual({ min: 1, max: 8 });
    for (const one of ['archive-move', 'kpi-rebuild', 'analytics', 'quality']) expect(byName[one]!.scale, one).toEqual({ min: 1, max: 1 });
    expect(byName.analytics!.timeoutMs).toBe(5 * 60_000);
    expect(byName.ingest!.batchMaxMessages).toBe(2000);
  });

  it('substitutes ${VAR} and ${VAR:-default} like faas-cli', () => {
    expect(substituteEnv('a ${X} b ${Y:-dflt} c ${Z:-} d ${X:-no}', { X: 'x' })).toBe('a x b dflt c  d x');
    const s = loadStack(path.join(ROOT, 'stack.yml'), { TOPIC_ORDERS: 'orders-test-1', ARCHIVE_THRESHOLD_MB: '5' });
    const ingest = s.functions.find((f) => f.name === 'ingest')!;
    expect(ingest.topics).toEqual(['orders-test-1']);
    expect(s.functions.find((f) => f.name === 'archive-check')!.environment.ARCHIVE_THRESHOLD_MB).toBe('5');
  });

  it('splits comma-separated topics, coerces scalar values to strings, resolves handler paths', () => {
    const s = parse(`  fn-a:
    lang: node24-ts
    handler: ./functions/fn-a
    image: x/fn-a:latest
    annotations:
      topic: " t1, t2 ,t3"
      orderpulse.dev/delivery: single
    environment:
      N: 5
      B: true
      exec_timeout: 90s
      write_timeout: 2m
`);
    const f = s.functions[0]!;
    expect(f.topics).toEqual(['t1', 't2', 't3']);
    expect(f.delivery).toBe('single');
    expect(f.environment).toEqual({ N: '5', B: 'true', exec_timeout: '90s', write_timeout: '2m' });
    expect(f.timeoutMs).toBe(120_000);
    expect(f.handlerFile).toBe('/repo/functions/fn-a/handler.ts');
  });

  it('rejects invalid files with messages that name the field', () => {
    const cases: [string, RegExp][] = [
      ['  Bad_Name:\n    lang: x\n    handler: ./h\n    image: i\n', /DNS label/],
      ['  f:\n    handler: ./h\n    image: i\n', /functions\.f\.lang is required/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    annotations:\n      topic: cron-function\n', /no schedule annotation/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    annotations:\n      topic: cron-function\n      schedule: "61 * * * *"\n', /schedule: invalid cron expression/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    annotations:\n      schedule: "* * * * *"\n', /does not include cron-function/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    environment:\n      exec_timeout: soon\n', /not a duration/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    environment:\n      A: [1]\n', /environment\.A must be a string/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    annotations:\n      orderpulse.dev/batch-max-messages: "0"\n', /positive integer/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    annotations:\n      topic: "bad topic!"\n', /invalid Kafka topic name/],
      ['  f:\n    lang: x\n    handler: ./h\n    image: i\n    environment_file: [a.yml]\n', /environment_file/],
    ];
    for (const [fns, re] of cases) expect(() => parse(fns), fns).toThrow(re);
    expect(() => parseStack('provider: {name: openfaas}\nfunctions: {}', 't.yml', '/', {})).toThrow(/version/);
    expect(() => parseStack('version: 1.0\nprovider: {name: aws}\nfunctions: {}', 't.yml', '/', {})).toThrow(/provider.name/);
    expect(() => parseStack(base, 't.yml', '/', {})).toThrow(/at least one function/);
    expect(() => parseStack('a: [', 't.yml', '/', {})).toThrow(/not valid YAML/);
    expect(() => loadStack('/nonexistent/stack.yml')).toThrow(/cannot read stack file/);
  });

  it('a bad schedule is a ConfigError naming the function and the expected format', () => {
    const fns = '  nightly:\n    lang: x\n    handler: ./h\n    image: i\n    annotations:\n      topic: cron-function\n      schedule: "0 0 0 * * *"\n';
    expect(() => parse(fns)).toThrow(ConfigError);
    expect(() => parse(fns)).toThrow(/^test\.yml: functions\.nightly\.annotations\.schedule: invalid cron expression "0 0 0 \* \* \*": it has 6 fields \(expected 5 fields in UTC/);
    expect(parse(fns.replace('0 0 0 * * *', '@daily')).functions[0]!.cron?.expression).toBe('@daily');
  });

  it('reads com.openfaas.scale.min / max from labels (or annotations), with OpenFaaS defaults, and checks them', () => {
    const fn = (labels: string, annotations = '') => parse(`  f:\n    lang: node24-ts\n    handler: ./f\n    image: f\n${labels ? `    labels:\n${labels}` : ''}${annotations ? `    annotations:\n${annotations}` : ''}`).functions[0]!;
    expect(fn('').scale).toEqual({ min: 1, max: 20 });
    expect(fn('      com.openfaas.scale.min: "2"\n      com.openfaas.scale.max: "4"\n').scale).toEqual({ min: 2, max: 4 });
    expect(fn('', '      com.openfaas.scale.max: "1"\n').scale).toEqual({ min: 1, max: 1 });
    expect(fn('      com.openfaas.scale.min: "3"\n', '      com.openfaas.scale.min: "9"\n').scale).toEqual({ min: 3, max: 20 });
    expect(fn('      com.openfaas.scale.min: "30"\n').scale).toEqual({ min: 30, max: 30 });
    expect(() => fn('      com.openfaas.scale.min: "3"\n      com.openfaas.scale.max: "2"\n')).toThrow(/scale.min \(3\) must not exceed com.openfaas.scale.max \(2\)/);
    expect(() => fn('      com.openfaas.scale.min: "0"\n')).toThrow(/functions.f.labels\["com.openfaas.scale.min"\] = "0" must be a positive integer/);
  });

  it('parses Go durations as of-watchdog does', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('20')).toBe(20_000);
    expect(parseDuration('10 s')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
