import { describe, expect, it } from 'vitest';
import { ferretdbArgs, redactUrl } from './ferretdb.ts';

describe('ferretdbArgs', () => {
  const args = ferretdbArgs({ dataDir: '/x/.local/ferretdb/data', stateDir: '/x/.local/ferretdb/state', port: 27018 });

  it('runs the SQLite handler on a directory URL (trailing slash) on loopback', () => {
    expect(args).toContain('--handler=sqlite');
    expect(args).toContain('--sqlite-url=file:/x/.local/ferretdb/data/');
    expect(args).toContain('--listen-addr=127.0.0.1:27018');
    expect(args).toContain('--state-dir=/x/.local/ferretdb/state');
  });

  it('disables telemetry and uses a random debug port', () => {
    expect(args).toContain('--telemetry=disable');
    expect(args).toContain('--debug-addr=127.0.0.1:0');
  });

  it('runs the PostgreSQL handler on its URL when asked', () => {
    const pg = ferretdbArgs({ dataDir: '/d', stateDir: '/s', port: 1, backend: 'postgresql', postgresqlUrl: 'postgres://postgres@127.0.0.1:5433/ferretdb' });
    expect(pg).toContain('--handler=postgresql');
    expect(pg).toContain('--postgresql-url=postgres://postgres@127.0.0.1:5433/ferretdb');
    expect(pg.some((a) => a.startsWith('--sqlite-url'))).toBe(false);
  });

  it('does not double the trailing slash', () => {
    expect(ferretdbArgs({ dataDir: '/d/', stateDir: '/s', port: 1 })).toContain('--sqlite-url=file:/d/');
  });
});

describe('redactUrl', () => {
  it('hides credentials and keeps the rest', () => {
    expect(redactUrl('mongodb://user:secret@db.example:27017/x')).toBe('mongodb://***@db.example:27017/x');
    expect(redactUrl('mongodb://127.0.0.1:27017/')).toBe('mongodb://127.0.0.1:27017/');
  });
});
