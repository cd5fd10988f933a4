/** Helpers for the runtime's integration tests. */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../../shared/platform/config.ts';
import { createKafka } from '../../../shared/adapters/kafka.ts';

export const suffix = (): string => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Wait until the local Kafka broker answers (the stack helper's `npm run stack -- up` starts it). */
export async function waitForKafka(config: Config, timeoutMs = 60_000): Promise<void> {
  const kafka = createKafka(config, 'orderpulse-runtime-test-probe');
  await waitFor(
    `Kafka at ${config.kafkaBrokers.join(',')} (is the stack up? npm run stack -- status)`,
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        return true;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },
    timeoutMs,
    1000,
  );
}
