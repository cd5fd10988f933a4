import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../shared/platform/log.ts';
import { HISTORY_VIEWS } from '../shared/analytics/views.ts';
import { createResultsCache, historyJson, HISTORY_VIEW_NAMES, type ResultDoc } from './results.ts';
import { MemoryResultStore, sampleQuality, sampleResult } from './testing/memory-results.ts';

const silent = createLogger({}, () => undefined);

describe('historyJson', () => {
  it('builds every served view once, and one payload keyed by route name', () => {
    const r = sampleResult();
    const h = historyJson(r);
    expect(Object.keys(h.views)).toEqual(HISTORY_VIEW_NAMES);
    for (const n of HISTORY_VIEW_NAMES) expect(JSON.parse(h.views[n])).toEqual(JSON.parse(JSON.stringify(HISTORY_VIEWS[n](r))));
    expect(JSON.parse(h.payload)).toEqual(Object.fromEntries(HISTORY_VIEW_NAMES.map((n) => [n, JSON.parse(h.views[n])])));
  });
});

describe('createResultsCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('notifies the document that changed, once per change', async () => {
    const store = new MemoryResultStore();
    const cache = await createResultsCache(store, silent, 60_000);
    expect(await cache.current()).toEqual({ history: null, quality: null });
    const got: ResultDoc[] = [];
    cache.on((doc) => got.push(doc));
    await store.saveQuality(sampleQuality());
    await vi.waitFor(() => expect(got).toEqual(['quality']));
    await store.saveHistory(sampleResult());
    await vi.waitFor(() => expect(got).toEqual(['quality', 'history']));
    await store.saveHistory(sampleResult()); // same document: no event
    await store.saveQuality(sampleQuality({ mismatches: 2 }));
    await vi.waitFor(() => expect(got).toEqual(['quality', 'history', 'quality']));
    expect(JSON.parse((await cache.read()).quality ?? 'null')).toMatchObject({ mismatches: 2 });
    await cache.close();
  });

  it('the poll catches a save whose message was lost, and the snapshot goes stale when the store does not answer', async () => {
    vi.useFakeTimers(); // the poll interval and the snapshot's age are pure timer logic
    const store = new MemoryResultStore();
    const cache = await createResultsCache(store, silent, 20);
    await cache.current();
    store.publish = false;
    await store.saveHistory(sampleResult({ engine: 'spark' }));
    await vi.advanceTimersByTimeAsync(50);
    expect(JSON.parse((await cache.read()).history?.views.summary ?? 'null')).toMatchObject({ engine: 'spark' });
    store.failing = true;
    await vi.advanceTimersByTimeAsync(100);
    await expect(cache.read()).rejects.toThrow(/down/);
    await cache.close();
  });
});
