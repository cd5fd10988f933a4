/**
 * KafkaOffsets over the kafkajs admin client: consumer groups by prefix, their committed offsets
 * (every topic they committed on), and topic end offsets. One admin connection per process.
 */
import type { Admin } from 'kafkajs';
import { DependencyError } from '../../platform/errors.ts';
import type { CommittedOffset, KafkaOffsets, TopicEnd } from '../monitor.ts';

const HINT = 'is the broker up? (npm run stack -- status)';

function wrap<T>(what: string, p: Promise<T>): Promise<T> {
  return p.catch((cause: unknown) => {
    throw new DependencyError('kafka', `${what} failed; ${HINT}`, { cause });
  });
}

export class AdminKafkaOffsets implements KafkaOffsets {
  constructor(private readonly admin: Admin) {}

  async groups(prefix: string): Promise<string[]> {
    const { groups } = await wrap('listing consumer groups', this.admin.listGroups());
    return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix)).sort();
  }

  async committed(group: string): Promise<{ topic: string; partitions: CommittedOffset[] }[]> {
    const topics = await wrap(`reading the offsets of group ${group}`, this.admin.fetchOffsets({ groupId: group }));
    return topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset) })) }));
  }

  async topicEnds(topic: string): Promise<TopicEnd[]> {
    const offs = await wrap(`reading the end offsets of topic ${topic}`, this.admin.fetchTopicOffsets(topic));
    return offs.map((o) => ({ partition: o.partition, high: Number(o.high), low: Number(o.low) }));
  }
}
