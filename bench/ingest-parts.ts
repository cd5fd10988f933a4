/**
 * CPU per event of ingest's pure steps (issue 10 item 2), in this process, no I/O: the batch
 * body's JSON.parse and decodeBatch (as the function receives a KafkaBatch), validateOrder on the
 * decoded Buffer and on the text, canonical JSON, SHA-256. Generator events, alternating rounds.
 *
 *   npx tsx bench/ingest-parts.ts [--events N] [--rounds N]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLine } from '../shared/platform/args.ts';
import { validateOrder } from '../shared/contract/validate.ts';
import { canonicalJson, sha256Hex } from '../shared/contract/canonical.ts';
import { decodeBatch, encodeBatch } from '../shared/delivery/kafka-batch.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { encodeEvent } from '../dev/generator/encode.ts';

export function measureParts(events: number, rounds: number): Record<string, number[]> {
  const g = createGenerator({ seed: 7, start: '2026-01-01T00:00:00Z' });
  const texts: string[] = [];
  for (let i = 0; i < events; i++) texts.push(encodeEvent(g.next()));
  const parsed = texts.map((t) => JSON.parse(t) as unknown);
  const bufs = texts.map((t) => Buffer.from(t, 'utf8'));
  const body = encodeBatch('orders', 0, bufs.map((value, i) => ({ offset: String(i), key: null, value, timestamp: '0', headers: [] })));
  const steps: Record<string, () => void> = {
    'body JSON.parse + decodeBatch': () => void decodeBatch(JSON.parse(body.toString('utf8'))),
    'validateOrder(Buffer)': () => texts.forEach((_t, i) => validateOrder(bufs[i]!, { maxBytes: 65536, key: null })),
    'validateOrder(text)': () => texts.forEach((t) => validateOrder(t, { maxBytes: 65536, key: null })),
    'JSON.parse(text)': () => texts.forEach((t) => JSON.parse(t)),
    canonicalJson: () => parsed.forEach((v) => canonicalJson(v)),
    sha256Hex: () => texts.forEach((t) => sha256Hex(t)),
  };
  const out: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(steps)) {
      const c0 = process.cpuUsage();
      run();
      const c = process.cpuUsage(c0);
      (out[name] ??= []).push(Math.round(((c.user + c.system) / events) * 100) / 100);
    }
  }
  return out;
}

const USAGE = 'Usage: npx tsx bench/ingest-parts.ts [--events N] [--rounds N]';
const cli = commandLine({
  usage: USAGE,
  options: {
    events: { type: 'number', min: 1, integer: true },
    rounds: { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
});

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { values } = cli.parse(process.argv.slice(2));
  if (values.help) process.stdout.write(USAGE + '\n');
  else process.stdout.write(JSON.stringify({ events: values.events ?? 20_000, cpu_us_per_event_by_round: measureParts(values.events ?? 20_000, values.rounds ?? 5) }, null, 2) + '\n');
}
