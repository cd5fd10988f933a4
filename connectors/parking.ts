/**
 * The parking topic's record format (pure). A chunk that failed permanently (deliver.ts
 * isPermanent, KAFKA_PARK_AFTER times in a row) is written, message by message, to
 * `<topic>.parked`: same key, value and headers, plus these headers:
 *   orderpulse.parked.function            the function that refused it
 *   orderpulse.parked.status              its last HTTP status
 *   orderpulse.parked.code                its error code (errors.ts ErrorBody), when it sent one
 *   orderpulse.parked.error               the first 300 characters of its answer
 *   orderpulse.parked.attempts            invocations before parking
 *   orderpulse.parked.at                  when (ISO-8601)
 *   orderpulse.parked.source.topic        where the message came from …
 *   orderpulse.parked.source.partition
 *   orderpulse.parked.source.offset       … its own offset,
 *   orderpulse.parked.source.first-offset the chunk's first and last offsets
 *   orderpulse.parked.source.last-offset
 *   orderpulse.parked.source.timestamp    the source record's timestamp
 * `npm run replay-parked` (replay-parked.ts) turns them back into the source records.
 */
import type { KafkaHeader, KafkaRecord } from '../shared/delivery/wire.ts';
import type { InvokeResult } from './deliver.ts';

export const PARKED_SUFFIX = '.parked';
export const PARKED_HEADER = 'orderpulse.parked.';

export const parkedTopicOf = (topic: string): string => `${topic}${PARKED_SUFFIX}`;

export interface ParkedOut {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, (string | Buffer)[]>;
}

export interface ParkInfo {
  fn: string;
  topic: string;
  partition: number;
  last: InvokeResult;
  attempts: number;
  at: Date;
}

/** The parked copies of a chunk's records (same order). */
export function parkedMessages(records: readonly KafkaRecord[], info: ParkInfo): ParkedOut[] {
  const first = records[0]?.offset ?? '';
  const last = records[records.length - 1]?.offset ?? '';
  const common: Record<string, string> = {
    function: info.fn,
    status: String(info.last.status),
    ...(info.last.code ? { code: info.last.code } : {}),
    error: info.last.excerpt.slice(0, 300),
    attempts: String(info.attempts),
    at: info.at.toISOString(),
    'source.topic': info.topic,
    'source.partition': String(info.partition),
    'source.first-offset': first,
    'source.last-offset': last,
  };
  return records.map((r) => {
    const headers: Record<string, (string | Buffer)[]> = {};
    for (const h of r.headers) {
      if (h.key.startsWith(PARKED_HEADER)) continue; // a replayed-then-parked-again message: ours are rewritten
      (headers[h.key] ??= []).push(h.value ?? Buffer.alloc(0));
    }
    for (const [k, v] of Object.entries({ ...common, 'source.offset': r.offset, 'source.timestamp': r.timestamp })) headers[PARKED_HEADER + k] = [v];
    return { key: r.key, value: r.value, headers };
  });
}

export interface ParkedRecord {
  fn: string;
  topic: string;
  partition: number;
  /** The source record as it was (offset, timestamp, headers). */
  record: KafkaRecord;
}

/** A record read from a parking topic, back as its source record; undefined when it lacks our headers. */
export function fromParked(r: KafkaRecord): ParkedRecord | undefined {
  const ours = new Map<string, string>();
  const headers: KafkaHeader[] = [];
  for (const h of r.headers) {
    if (h.key.startsWith(PARKED_HEADER)) ours.set(h.key.slice(PARKED_HEADER.length), h.value?.toString('utf8') ?? '');
    else headers.push(h);
  }
  const fn = ours.get('function');
  const topic = ours.get('source.topic');
  const partition = Number(ours.get('source.partition'));
  const offset = ours.get('source.offset');
  if (!fn || !topic || !Number.isInteger(partition) || partition < 0 || !offset || !/^\d+$/.test(offset)) return undefined;
  return { fn, topic, partition, record: { offset, key: r.key, value: r.value, timestamp: ours.get('source.timestamp') ?? '', headers } };
}
