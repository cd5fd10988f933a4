import { describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/log.ts';
import { pipelineTopics, runSetup, type SetupSteps, type TopicSpec } from './setup.ts';

const quiet = createLogger({}, () => undefined);

function recorder(): SetupSteps & { calls: string[]; topicLists: TopicSpec[][] } {
  const calls: string[] = [];
  const topicLists: TopicSpec[][] = [];
  return {
    calls,
    topicLists,
    schema: async () => void calls.push('schema'),
    topics: async (list) => {
      calls.push('topics');
      topicLists.push(list);
    },
  };
}

describe('set-up step', () => {
  it('names every topic of the pipeline with its partition count, from the configuration', () => {
    const config = loadConfig({ TOPIC_ORDERS: 'o', TOPIC_DLQ: 'o.dlq', TOPIC_ACCEPTED: 'o.acc', TOPIC_DELTAS: 'k.d', TOPIC_ALERTS: 'a' });
    expect(pipelineTopics(config)).toEqual([
      { topic: 'o', partitions: 4 },
      { topic: 'o.dlq', partitions: 1 },
      { topic: 'o.acc', partitions: 4 },
      { topic: 'k.d', partitions: 4 },
      { topic: 'a', partitions: 1 },
    ]);
    expect(pipelineTopics(loadConfig({})).map((t) => t.topic)).toEqual(['orders', 'orders.dlq', 'orders.accepted', 'kpi.deltas', 'alerts']);
  });

  it('backfills the archive marks only when asked, after the schema', async () => {
    const config = loadConfig({});
    const steps = recorder();
    const r0 = await runSetup(steps, config, quiet);
    expect(r0.archiveBackfill).toBeUndefined();
    const withBackfill = { ...steps, archiveBackfill: async () => (steps.calls.push('archive'), { ran: true, rows: 3, marked: 3, registered: 2 }) };
    const r = await runSetup(withBackfill, config, quiet, { backfillArchive: true, topics: false });
    expect(steps.calls.slice(-2)).toEqual(['schema', 'archive']);
    expect(r.archiveBackfill).toEqual({ ran: true, rows: 3, marked: 3, registered: 2 });
    await expect(runSetup(recorder(), config, quiet, { backfillArchive: true })).rejects.toThrow(/cannot read the archive/);
  });

  it('creates the schema, then the topics; either can be left out', async () => {
    const config = loadConfig({});
    const all = recorder();
    const r = await runSetup(all, config, quiet);
    expect(all.calls).toEqual(['schema', 'topics']);
    expect(all.topicLists[0]).toEqual(pipelineTopics(config));
    expect(r).toMatchObject({ schema: true, topics: pipelineTopics(config) });
    const noTopics = recorder();
    expect(await runSetup(noTopics, config, quiet, { topics: false })).toMatchObject({ schema: true, topics: [] });
    expect(noTopics.calls).toEqual(['schema']);
    const noSchema = recorder();
    await runSetup(noSchema, config, quiet, { schema: false });
    expect(noSchema.calls).toEqual(['topics']);
  });

  it('stops at the first failing step and passes its error on', async () => {
    const steps = recorder();
    steps.schema = async () => {
      throw new Error('mongodb down');
    };
    await expect(runSetup(steps, loadConfig({}), quiet)).rejects.toThrow('mongodb down');
    expect(steps.calls).toEqual([]);
  });
});
