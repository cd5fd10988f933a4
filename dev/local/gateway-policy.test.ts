import { describe, expect, it } from 'vitest';
import { checkBasicAuth, checkCallback, isOpenRoute, ownOrigins } from './gateway-policy.ts';

const creds = { user: 'admin', password: 's3cret:with:colons' };
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('checkBasicAuth', () => {
  it('accepts exactly the configured user and password', () => {
    expect(checkBasicAuth(basic('admin', 's3cret:with:colons'), creds)).toBe(true);
    expect(checkBasicAuth(`basic   ${Buffer.from('admin:s3cret:with:colons').toString('base64')}`, creds)).toBe(true);
  });
  it('refuses a missing, malformed or wrong header', () => {
    for (const h of [undefined, '', 'Bearer x', 'Basic', 'Basic !!!', basic('admin', 's3cret'), basic('Admin', creds.password), basic('admin', `${creds.password} `), `Basic ${Buffer.from('admin').toString('base64')}`]) {
      expect(checkBasicAuth(h, creds), String(h)).toBe(false);
    }
  });
});

describe('isOpenRoute', () => {
  it('opens only GET/HEAD /healthz', () => {
    expect(isOpenRoute('GET', '/healthz')).toBe(true);
    expect(isOpenRoute('HEAD', '/healthz')).toBe(true);
    for (const [m, p] of [['POST', '/healthz'], ['GET', '/healthz/'], ['GET', '/metrics'], ['GET', '/system/functions'], ['POST', '/function/x'], ['GET', '/']]) expect(isOpenRoute(m, p!), `${m} ${p}`).toBe(false);
  });
});

describe('checkCallback', () => {
  const policy = { ownOrigins: ownOrigins(8080), allow: ['https://hooks.example.com/orderpulse', 'http://10.0.0.5:9000'] };
  it("allows this gateway's own /function/* (marked own) and allow-listed prefixes", () => {
    expect(checkCallback('http://127.0.0.1:8080/function/archive-move', policy)).toEqual({ ok: true, own: true });
    expect(checkCallback('http://localhost:8080/function/x?y=1', policy)).toEqual({ ok: true, own: true });
    expect(checkCallback('https://hooks.example.com/orderpulse', policy)).toEqual({ ok: true, own: false });
    expect(checkCallback('https://hooks.example.com/orderpulse/done', policy)).toEqual({ ok: true, own: false });
    expect(checkCallback('http://10.0.0.5:9000/anything', policy)).toEqual({ ok: true, own: false });
  });
  it('refuses everything else, with a reason naming GATEWAY_CALLBACK_ALLOW', () => {
    for (const u of [
      'http://127.0.0.1:8080/system/functions',
      'http://127.0.0.1:8081/function/x',
      'https://hooks.example.com/orderpulse-evil',
      'https://hooks.example.com.evil.com/orderpulse',
      'http://hooks.example.com/orderpulse',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.5:9001/',
    ]) {
      const v = checkCallback(u, policy);
      expect(v.ok, u).toBe(false);
      if (!v.ok) expect(v.reason).toContain('GATEWAY_CALLBACK_ALLOW');
    }
    expect(checkCallback('file:///etc/passwd', policy)).toMatchObject({ ok: false });
    expect(checkCallback('nope', policy)).toMatchObject({ ok: false });
    expect(checkCallback('http://admin:pw@127.0.0.1:8080/function/x', policy)).toMatchObject({ ok: false });
  });
  it('allows no foreign address by default', () => {
    expect(checkCallback('http://127.0.0.1:9999/done', { ownOrigins: ownOrigins(8080), allow: [] }).ok).toBe(false);
  });
});
