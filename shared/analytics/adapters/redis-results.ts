/**
 * ioredis adapter of the ResultStore: `<KPI_PREFIX>history` (the AnalyticsResult JSON) and
 * `<KPI_PREFIX>quality` (the QualityReport JSON); every save PUBLISHes `<KPI_PREFIX>history:changed`
 * with the document's name, for the dashboard's live stream.
 */
import type { Redis } from 'ioredis';
import { DependencyError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/log.ts';
import { createRedisClient } from '../../kpi/adapters/redis-store.ts';
import type { ResultStore } from '../store.ts';
import type { AnalyticsResult, QualityReport } from '../types.ts';

export class RedisResultStore implements ResultStore {
  private constructor(
    private readonly redis: Redis,
    private readonly url: string,
    readonly prefix: string,
  ) {}

  static open(url: string, prefix: string, name: string, log?: Logger): RedisResultStore {
    return new RedisResultStore(createRedisClient(url, name, log), url, prefix);
  }

  /** The channel a save PUBLISHes on (message: `history` or `quality`). */
  get channel(): string {
    return `${this.prefix}history:changed`;
  }

  private async save(name: 'history' | 'quality', doc: unknown): Promise<void> {
    try {
      await this.redis.multi().set(this.prefix + name, JSON.stringify(doc)).publish(this.channel, name).exec();
    } catch (cause) {
      throw new DependencyError('redis', `saving the ${name} results failed at ${this.url}; is the stack up? (npm run stack -- status)`, { cause });
    }
  }

  private async load<T>(name: 'history' | 'quality'): Promise<T | null> {
    let raw: string | null;
    try {
      raw = await this.redis.get(this.prefix + name);
    } catch (cause) {
      throw new DependencyError('redis', `reading the ${name} results failed at ${this.url}; is the stack up? (npm run stack -- status)`, { cause });
    }
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  saveHistory(r: AnalyticsResult): Promise<void> {
    return this.save('history', r);
  }

  loadHistory(): Promise<AnalyticsResult | null> {
    return this.load<AnalyticsResult>('history');
  }

  saveQuality(q: QualityReport): Promise<void> {
    return this.save('quality', q);
  }

  loadQuality(): Promise<QualityReport | null> {
    return this.load<QualityReport>('quality');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
