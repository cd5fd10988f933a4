import { describe, expect, it } from 'vitest';
import { callIdOf, forwardHeaders } from './gateway.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('callIdOf', () => {
  it("keeps the caller's X-Call-Id when it is a plain token", () => {
    expect(callIdOf({ 'x-call-id': 'b7e1c2d0-0000-4000-8000-000000000001' })).toBe('b7e1c2d0-0000-4000-8000-000000000001');
    expect(callIdOf({ 'x-call-id': 'cron:archive-check.2026-01-01T00_00' })).toBe('cron:archive-check.2026-01-01T00_00');
  });

  it('makes a new UUID when there is none, or it is empty, too long, or not a plain token', () => {
    expect(callIdOf({})).toMatch(UUID);
    expect(callIdOf({ 'x-call-id': '' })).toMatch(UUID);
    expect(callIdOf({ 'x-call-id': 'x'.repeat(129) })).toMatch(UUID);
    expect(callIdOf({ 'x-call-id': 'a, b' })).toMatch(UUID);
    expect(callIdOf({ 'x-call-id': 'line\nbreak' })).toMatch(UUID);
    expect(callIdOf({})).not.toBe(callIdOf({}));
  });
});

describe('forwardHeaders', () => {
  it("passes the caller's headers on without hop-by-hop ones and without the gateway's credentials", () => {
    expect(forwardHeaders({ 'content-type': 'application/json', authorization: 'Basic YWRtaW46cHc=', connection: 'keep-alive', host: 'x', 'x-call-id': 'c1', 'set-cookie': ['a=1', 'b=2'] })).toEqual({
      'content-type': 'application/json',
      'x-call-id': 'c1',
      'set-cookie': ['a=1', 'b=2'],
    });
  });
});
