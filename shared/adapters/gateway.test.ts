import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.ts';
import { ConfigError } from '../platform/errors.ts';
import { authHeaders, basicAuth, ensureGatewayCredentials, GatewayClient, readGatewayCredentials } from './gateway.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'op-gw-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('gateway credentials', () => {
  it('basic auth header', () => {
    expect(basicAuth({ user: 'admin', password: 'pw' })).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
    expect(authHeaders(undefined)).toEqual({});
  });

  it('GATEWAY_PASSWORD wins over the file; else the file (trimmed); else none', () => {
    const home = tmp();
    expect(readGatewayCredentials(loadConfig({ ORDERPULSE_HOME: home }))).toBeUndefined();
    expect(readGatewayCredentials(loadConfig({ ORDERPULSE_HOME: home, GATEWAY_USER: 'ops', GATEWAY_PASSWORD: 'p1' }))).toEqual({ user: 'ops', password: 'p1' });
    const f = path.join(home, 'secret');
    writeFileSync(f, 'from-file\n');
    expect(readGatewayCredentials(loadConfig({ ORDERPULSE_HOME: home, GATEWAY_PASSWORD_FILE: f }))).toEqual({ user: 'admin', password: 'from-file' });
    writeFileSync(f, '\n');
    expect(() => readGatewayCredentials(loadConfig({ ORDERPULSE_HOME: home, GATEWAY_PASSWORD_FILE: f }))).toThrow(ConfigError);
  });

  it('generates a password once into <ORDERPULSE_HOME>/gateway/password, mode 0600, and keeps it', () => {
    const home = tmp();
    const config = loadConfig({ ORDERPULSE_HOME: home });
    const first = ensureGatewayCredentials(config);
    expect(first.source).toBe('generated');
    expect(first.file).toBe(path.join(home, 'gateway', 'password'));
    expect(first.credentials.user).toBe('admin');
    expect(first.credentials.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file, 'utf8').trim()).toBe(first.credentials.password);
    const again = ensureGatewayCredentials(config);
    expect(again).toEqual({ ...first, source: 'file' });
    expect(readGatewayCredentials(config)).toEqual(first.credentials);
    // Configured: nothing is generated.
    const home2 = tmp();
    expect(ensureGatewayCredentials(loadConfig({ ORDERPULSE_HOME: home2, GATEWAY_PASSWORD: 'x' })).source).toBe('env');
    expect(() => statSync(path.join(home2, 'gateway', 'password'))).toThrow();
  });

  it('GatewayClient adds the credentials to every call', () => {
    const c = new GatewayClient('http://127.0.0.1:8080/', { user: 'admin', password: 'pw' });
    expect(c.url).toBe('http://127.0.0.1:8080');
    const h = c.headers({ 'content-type': 'application/json' });
    expect(h.get('authorization')).toBe(basicAuth({ user: 'admin', password: 'pw' }));
    expect(h.get('content-type')).toBe('application/json');
    expect(new GatewayClient('http://x', undefined).headers().get('authorization')).toBeNull();
  });
});
