import { describe, expect, it } from 'vitest';
import { combinedState, pickReplica } from './replica-set.ts';

const r = (ready: boolean, inFlight = 0) => ({ ready, inFlight });

describe('pickReplica: least in flight among the ready replicas, ties round robin', () => {
  it('never picks a replica that is not ready; -1 when none is', () => {
    expect(pickReplica([r(false), r(false)], 0)).toBe(-1);
    expect(pickReplica([], 0)).toBe(-1);
    expect(pickReplica([r(false, 0), r(true, 9)], 0)).toBe(1);
  });

  it('prefers the fewest calls in flight', () => {
    expect(pickReplica([r(true, 3), r(true, 1), r(true, 2)], 0)).toBe(1);
    expect(pickReplica([r(true, 0), r(true, 1)], 1)).toBe(0);
  });

  it('spreads equal load in turn from the cursor', () => {
    const replicas = [r(true), r(true), r(true), r(true)];
    const picked: number[] = [];
    let cursor = 0;
    for (let k = 0; k < 8; k++) {
      const i = pickReplica(replicas, cursor);
      picked.push(i);
      cursor = i + 1;
    }
    expect(picked).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('with calls held, fills the idle replicas first', () => {
    const replicas = [r(true), r(true), r(false), r(true)];
    let cursor = 0;
    for (let k = 0; k < 6; k++) {
      const i = pickReplica(replicas, cursor);
      replicas[i]!.inFlight++;
      cursor = i + 1;
    }
    expect(replicas.map((x) => x.inFlight)).toEqual([2, 2, 0, 2]);
  });
});

describe('combinedState', () => {
  it('is ready when any replica is, else starting, else down, else stopped', () => {
    expect(combinedState(['down', 'ready'])).toBe('ready');
    expect(combinedState(['down', 'starting'])).toBe('starting');
    expect(combinedState(['stopped', 'down'])).toBe('down');
    expect(combinedState(['stopped'])).toBe('stopped');
  });
});
