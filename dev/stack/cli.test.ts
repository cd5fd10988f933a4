import { describe, expect, it } from 'vitest';
import { formatStatusTable, parseArgs, UsageError } from './cli.ts';

describe('parseArgs', () => {
  it('parses commands and flags', () => {
    expect(parseArgs(['up'])).toEqual({ command: 'up', all: false, only: [], json: false });
    expect(parseArgs(['up', '--all'])).toMatchObject({ command: 'up', all: true });
    expect(parseArgs(['status', '--json'])).toMatchObject({ command: 'status', json: true });
    expect(parseArgs(['down'])).toMatchObject({ command: 'down' });
    expect(parseArgs(['reset'])).toMatchObject({ command: 'reset' });
  });

  it('accepts --only a,b, --only=a and repeated --only', () => {
    expect(parseArgs(['up', '--only', 'kafka,redis']).only).toEqual(['kafka', 'redis']);
    expect(parseArgs(['up', '--only=ferretdb']).only).toEqual(['ferretdb']);
    expect(parseArgs(['--only', 'kafka', 'status', '--only', ' hdfs ']).only).toEqual(['kafka', 'hdfs']);
  });

  it('shows help without a command or with --help', () => {
    expect(parseArgs([]).command).toBe('help');
    expect(parseArgs(['up', '--help']).command).toBe('help');
  });

  it('rejects unknown commands, options and a missing --only list', () => {
    expect(() => parseArgs(['start'])).toThrow(UsageError);
    expect(() => parseArgs(['up', '--force'])).toThrow(/unknown option --force/);
    expect(() => parseArgs(['up', '--only'])).toThrow(/--only needs/);
    expect(() => parseArgs(['up', '--only', '--all'])).toThrow(/--only needs/);
    expect(() => parseArgs(['up', 'down'])).toThrow(/unexpected argument down/);
  });
});

describe('formatStatusTable', () => {
  it('prints one aligned row per service with pid, endpoint and log', () => {
    const t = formatStatusTable([
      { name: 'kafka', running: true, healthy: true, pid: 42, endpoint: '127.0.0.1:9092', logFile: '/l/kafka.log' },
      { name: 'ferretdb', running: false, healthy: false, endpoint: 'mongodb://127.0.0.1:27017/', logFile: '/l/f.log', detail: 'x' },
    ]).split('\n');
    expect(t).toHaveLength(3);
    expect(t[0]).toMatch(/^SERVICE\s+RUNNING\s+HEALTHY\s+PID\s+ENDPOINT\s+LOG$/);
    expect(t[1]).toMatch(/^kafka\s+yes\s+yes\s+42\s+127\.0\.0\.1:9092\s+\/l\/kafka\.log$/);
    expect(t[2]).toMatch(/^ferretdb\s+no\s+no\s+-\s+mongodb:\/\/127\.0\.0\.1:27017\/\s+\/l\/f\.log {2}\(x\)$/);
    expect(t[1]?.indexOf('127.0.0.1')).toBe(t[2]?.indexOf('mongodb'));
  });
});
