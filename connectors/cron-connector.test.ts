import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../shared/platform/log.ts';
import { parseStack } from './stackfile.ts';
import { startCronConnector } from './cron-connector.ts';

const quiet = createLogger({}, () => {});
const stack = parseStack(
  `version: 1.0
provider: {name: openfaas}
functions:
  every5:
    lang: node24-ts
    handler: ./f
    image: x
    annotations: {topic: cron-function, schedule: "*/5 * * * *"}
  minutely:
    lang: node24-ts
    handler: ./g
    image: x
    annotations: {topic: cron-function, schedule: "* * * * *"}
  plain:
    lang: node24-ts
    handler: ./h
    image: x
`,
  't.yml',
  '/',
  {},
);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2024-05-05T10:02:30Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('cron connector', () => {
  it('invokes each cron function at its UTC fire times, and nothing else', async () => {
    const calls: string[] = [];
    const c = startCronConnector({
      functions: stack.functions,
      gatewayUrl: 'http://unused',
      log: quiet,
      invoke: async (fn, at) => {
        calls.push(`${fn.name}@${at.toISOString().slice(11, 16)}@${new Date().toISOString().slice(11, 19)}`);
        return { status: 200 };
      },
    });
    await vi.advanceTimersByTimeAsync(8 * 60_000);
    await c.stop();
    expect(calls.filter((x) => x.startsWith('every5'))).toEqual(['every5@10:05@10:05:00', 'every5@10:10@10:10:00']);
    expect(calls.filter((x) => x.startsWith('minutely')).map((x) => x.split('@')[1])).toEqual(['10:03', '10:04', '10:05', '10:06', '10:07', '10:08', '10:09', '10:10']);
    expect(calls.some((x) => x.startsWith('plain'))).toBe(false);
    expect(c.runs().every((r) => r.status === 200)).toBe(true);
  });

  it('never overlaps runs of one function: ticks during a long run are skipped', async () => {
    const started: string[] = [];
    const c = startCronConnector({
      functions: stack.functions.filter((f) => f.name === 'minutely'),
      gatewayUrl: 'http://unused',
      log: quiet,
      invoke: async (_fn, at) => {
        started.push(at.toISOString().slice(11, 16));
        await new Promise((r) => setTimeout(r, 150_000)); // 2.5 minutes
        return { status: 200 };
      },
    });
    await vi.advanceTimersByTimeAsync(6 * 60_000 + 30_000);
    const skipped = c.skipped();
    const stopping = c.stop();
    await vi.advanceTimersByTimeAsync(200_000);
    await stopping;
    // Runs at 10:03 (ends 10:05:30), 10:06 (ends 10:08:30), 10:09; 10:04, 10:05, 10:07, 10:08 skipped.
    expect(started).toEqual(['10:03', '10:06', '10:09']);
    expect(skipped.minutely).toBe(4);
  });

  it('records failed runs with status and error', async () => {
    const c = startCronConnector({
      functions: stack.functions.filter((f) => f.name === 'minutely'),
      gatewayUrl: 'http://unused',
      log: quiet,
      invoke: async () => ({ status: 503, error: 'not ready' }),
    });
    await vi.advanceTimersByTimeAsync(60_000);
    await c.stop();
    expect(c.runs()).toEqual([{ fn: 'minutely', scheduledAt: '2024-05-05T10:03:00.000Z', status: 503, durationMs: 0, error: 'not ready' }]);
  });
});
