/** Helpers for the runtime's integration tests. */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../../shared/platform/config.ts';
import { createKafka } from '../../../shared/adapters/kafka.ts';
import { waitFor } from '../../testing/wait-for.ts';

export const suffix = (): string => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

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
    { timeoutMs, intervalMs: 1000, what: `Kafka at ${config.kafkaBrokers.join(',')} (is the stack up? npm run stack -- status)` },
  );
}
