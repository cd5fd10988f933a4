import { describe, expect, it } from 'vitest';
import { asServerUser, postgresArgs, postgresUrl } from './postgres.ts';
import { loadConfig } from '../../shared/platform/config.ts';

describe('postgres service', () => {
  it('listens on loopback and our port, its socket in our dir', () => {
    const a = postgresArgs({ dataDir: '/x/data', socketDir: '/x/sock', port: 5433 });
    expect(a.slice(0, 4)).toEqual(['-D', '/x/data', '-p', '5433']);
    expect(a).toContain('listen_addresses=127.0.0.1');
    expect(a).toContain('unix_socket_directories=/x/sock');
  });

  it('runs as the postgres user only when we are root', () => {
    expect(asServerUser('/bin/postgres', ['-D', 'd'], true)).toEqual({ command: 'setpriv', args: ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', '/bin/postgres', '-D', 'd'] });
    expect(asServerUser('/bin/postgres', ['-D', 'd'], false)).toEqual({ command: '/bin/postgres', args: ['-D', 'd'] });
  });

  it('gives FerretDB a URL on POSTGRES_PORT; FERRETDB_BACKEND is checked', () => {
    expect(postgresUrl(loadConfig({ POSTGRES_PORT: '5544' }))).toBe('postgres://postgres@127.0.0.1:5544/ferretdb');
    expect(loadConfig({}).ferretdbBackend).toBe('sqlite');
    expect(loadConfig({ FERRETDB_BACKEND: 'postgresql' }).ferretdbBackend).toBe('postgresql');
    expect(() => loadConfig({ FERRETDB_BACKEND: 'mysql' })).toThrow(/FERRETDB_BACKEND=mysql must be sqlite or postgresql/);
  });
});
