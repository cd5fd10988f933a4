import { describe, expect, it } from 'vitest';
import { BusyClock, timed } from './busy-time.ts';

describe('BusyClock', () => {
  it('counts overlapping calls once, per category and for a set', () => {
    let t = 0;
    const clock = new BusyClock(() => t);
    const a = clock.start('a'); // a: 0..10
    t = 5;
    const b = clock.start('b'); // b: 5..20
    t = 10;
    a();
    t = 20;
    b();
    t = 30;
    const a2 = clock.start('a'); // a: 30..35
    t = 35;
    a2();
    expect(clock.busyMs(['a'])).toBe(15);
    expect(clock.busyMs(['b'])).toBe(15);
    expect(clock.busyMs()).toBe(25);
    expect(clock.busyMs(['none'])).toBe(0);
    clock.add('c', 8, 32); // overlaps a and b: the union of all grows by 10 (20..30)
    expect(clock.busyMs(['c'])).toBe(24);
    expect(clock.busyMs()).toBe(35);
  });

  it('times the methods of a wrapped object, sync, async and throwing', async () => {
    let t = 0;
    const clock = new BusyClock(() => t);
    const port = {
      base: 2,
      twice(x: number): number {
        t += 3;
        return x * this.base;
      },
      async later(): Promise<string> {
        await Promise.resolve();
        t += 4;
        return 'ok';
      },
      fail(): never {
        t += 1;
        throw new Error('boom');
      },
    };
    const w = timed(port, clock, (m) => `port.${m}`);
    expect(w.twice(2)).toBe(4);
    expect(await w.later()).toBe('ok');
    expect(() => w.fail()).toThrow('boom');
    expect(w.base).toBe(2);
    expect(clock.busyMs(['port.twice'])).toBe(3);
    expect(clock.busyMs(['port.later'])).toBe(4);
    expect(clock.busyMs(['port.fail'])).toBe(1);
    expect(clock.categories().sort()).toEqual(['port.fail', 'port.later', 'port.twice']);
  });
});
