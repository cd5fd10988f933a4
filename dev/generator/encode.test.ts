import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../shared/contract/types.ts';
import { encodeEvent, encodeEventBuffer, encodeGeneratedEvent } from './encode.ts';
import { createGenerator } from './generator.ts';

describe('encodeEvent', () => {
  const g = createGenerator({ seed: 3, start: '2024-06-03T17:00:00Z', eventRate: 20 });
  const events = Array.from({ length: 20_000 }, () => g.next());

  it('is byte-identical to JSON.stringify and round-trips through JSON.parse', () => {
    const mismatches = events.filter((e) => encodeEvent(e) !== JSON.stringify(e) || encodeGeneratedEvent(e) !== JSON.stringify(e)).length;
    expect(mismatches).toBe(0);
    expect(events.some((e) => e.campaign !== undefined)).toBe(true);
    for (const e of events.slice(0, 200)) expect(JSON.parse(encodeEventBuffer(e).toString('utf8'))).toEqual(e);
  });

  it('falls back to JSON.stringify for unusual events (escapes, extra fields, unfrozen parts)', () => {
    const base = events[0]!;
    const odd: OrderEvent[] = [
      { ...base, order_id: 'quote"and\\backslash\u2028' },
      { ...base, extra: { nested: [1, 2] } },
      { ...base, customer: { ...base.customer, city: 'São Paulo "x"' } },
      { ...base, payment: { ...base.payment, gateway: 'x' } },
      { ...base, campaign: 'flash "sale"' },
      { ...base, quantity: Number.NaN },
      Object.fromEntries(Object.entries(base).reverse()) as OrderEvent,
    ];
    for (const e of odd) {
      expect(encodeEvent(e)).toBe(JSON.stringify(e));
      if (!Number.isNaN(e.quantity)) expect(JSON.parse(encodeEventBuffer(e).toString('utf8'))).toEqual(e);
    }
    expect(encodeEventBuffer(odd[2]!).toString('utf8')).toContain('São Paulo');
  });
});
