/**
 * The analytics feed on kafkajs: one long-lived consumer of `orders.accepted` in a group of its
 * own (nothing committed: positions live in memory with the engine's tables; the group is deleted
 * on close), placed with seek() at the offsets the engine gives after each hot-store scan. Rows
 * are parsed as batches arrive and buffered; past `maxBuffered` rows the consumer pauses until
 * the next drain. A message below the partition's position (a fetch from before a seek) is
 * skipped; positions advance only over messages seen, so "caught up" means read, not assumed.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { caughtUp, type AcceptedFeed, type DrainOptions, type DrainResult, type Offsets, type PartitionRange } from '../feed.ts';
import { rowFromEventText, type AnalyticsRow } from '../rows.ts';

export interface KafkaFeedOptions {
  /** Pause reading while this many rows wait for a drain (default 200 000). */
  maxBuffered?: number;
}

const HINT = 'is the broker up? (npm run stack -- status; start it with npm run stack -- up)';

export class KafkaAcceptedFeed implements AcceptedFeed {
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private readonly groupId = `orderpulse-analytics-${process.pid}-${randomBytes(4).toString('hex')}`;
  private pos = new Map<number, bigint>();
  private buffer: AnalyticsRow[] = [];
  private invalid = 0;
  private paused = false;
  private crashed: unknown;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly log: Logger,
    private readonly opts: KafkaFeedOptions = {},
  ) {}

  async ranges(): Promise<Map<number, PartitionRange>> {
    try {
      if (!this.admin) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      const offsets = await this.admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
    } catch (cause) {
      throw new DependencyError('kafka', `analytics: could not read the offsets of ${this.topic}; ${HINT} Does the topic exist (npm run setup)?`, { cause });
    }
  }

  positions(): Offsets {
    return this.pos;
  }

  async seek(from: Offsets): Promise<void> {
    this.buffer = [];
    this.invalid = 0;
    this.pos = new Map(from);
    if (!this.consumer || this.crashed !== undefined) await this.start();
    for (const [partition, offset] of from) this.consumer!.seek({ topic: this.topic, partition, offset: offset.toString() });
    this.resume();
  }

  private async start(): Promise<void> {
    await this.stopConsumer();
    this.crashed = undefined;
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250, retry: { retries: 5 } });
    consumer.on(consumer.events.CRASH, (e) => {
      this.crashed = e.payload.error;
      this.log.error('analytics feed: consumer crashed; the next run re-reads the hot store', { topic: this.topic, error: String(e.payload.error) });
      this.notify();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch: async (p) => this.onBatch(p) });
    } catch (cause) {
      await consumer.disconnect().catch(() => undefined);
      throw new DependencyError('kafka', `analytics: could not start reading ${this.topic}; ${HINT}`, { cause });
    }
    this.consumer = consumer;
  }

  private onBatch({ batch }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    let pos = this.pos.get(p) ?? 0n;
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      if (offset < pos) continue;
      const parsed = m.value ? rowFromEventText(m.value.toString('utf8')) : { ok: false as const, error: 'empty message' };
      if (parsed.ok) this.buffer.push(parsed.row);
      else {
        if (this.invalid++ === 0) this.log.warn('analytics feed: skipped a message that is not an accepted order', { topic: this.topic, partition: p, offset: m.offset, error: parsed.error });
      }
      pos = offset + 1n;
    }
    this.pos.set(p, pos);
    if (!this.paused && this.buffer.length >= (this.opts.maxBuffered ?? 200_000)) {
      this.consumer?.pause([{ topic: this.topic }]);
      this.paused = true;
    }
    this.notify();
    return Promise.resolve();
  }

  async drain(until: Offsets, apply: (rows: AnalyticsRow[]) => Promise<void>, opts: DrainOptions): Promise<DrainResult> {
    const deadline = Date.now() + opts.timeoutMs;
    let rows = 0;
    for (;;) {
      if (this.crashed !== undefined) throw new DependencyError('kafka', `analytics: the consumer of ${this.topic} crashed (${String(this.crashed)}); ${HINT}`, { cause: this.crashed });
      if (opts.signal?.aborted) throw new DependencyError('kafka', 'analytics: reading the feed was aborted', { retriable: true });
      const done = caughtUp(this.pos, until);
      if (this.buffer.length > 0) {
        const taken = this.buffer;
        this.buffer = [];
        rows += taken.length;
        this.resume();
        await apply(taken);
      }
      if (done) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        const behind = [...until].filter(([p, end]) => (this.pos.get(p) ?? 0n) < end).map(([p, end]) => `${p}: ${this.pos.get(p) ?? 0n}/${end}`);
        throw new DependencyError('kafka', `analytics: reading ${this.topic} did not reach the end offsets within ${opts.timeoutMs} ms (partition: position/end ${behind.join(', ')}); ${HINT}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const invalid = this.invalid;
    this.invalid = 0;
    return { rows, invalid };
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.consumer?.resume([{ topic: this.topic }]);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async stopConsumer(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    await c?.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    const had = this.consumer !== undefined;
    await this.stopConsumer();
    this.notify();
    if (had && this.admin) await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }
}
