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

  /**
   * Calls back with `history` or `quality` on every save, on a dedicated connection (the
   * dashboard's read cache). ioredis re-subscribes after a reconnect; `onChange` is then called
   * without a name, since saves may have been missed. Resolves to the unsubscribe function.
   */
  async subscribeChanges(onChange: (doc?: 'history' | 'quality') => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate({ connectionName: 'orderpulse-results-sub' });
    sub.on('error', () => undefined); // the main connection logs connection errors
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) onChange(message === 'history' || message === 'quality' ? message : undefined);
    });
    sub.on('ready', () => onChange());
    try {
      await sub.subscribe(this.channel);
    } catch (cause) {
      sub.disconnect();
      throw new DependencyError('redis', `subscribing to ${this.channel} failed at ${this.url}; is the stack up? (npm run stack -- status)`, { cause });
    }
    return async () => {
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
