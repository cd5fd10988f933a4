import { describe, expect, it } from 'vitest';
import { failureOf, ratio, rate, renderProperties, sinkConfig } from './peer-config.ts';

const base = { topic: 't', connectionUri: 'mongodb://127.0.0.1:27017/', database: 'd', collection: 'orders' };
const S = 'com.mongodb.kafka.connect.sink';

describe('sink connector configurations', () => {
  it('default: the connector write model (no writemodel.strategy: ReplaceOneDefaultStrategy), one task, _id from order_id', () => {
    const c = sinkConfig('default', base);
    expect(c).toEqual({
      'connector.class': 'com.mongodb.kafka.connect.MongoSinkConnector',
      topics: 't',
      'connection.uri': 'mongodb://127.0.0.1:27017/',
      database: 'd',
      collection: 'orders',
      'tasks.max': '1',
      'document.id.strategy': `${S}.processor.id.strategy.PartialValueStrategy`,
      'document.id.strategy.partial.value.projection.type': 'AllowList',
      'document.id.strategy.partial.value.projection.list': 'order_id',
    });
    expect(c['writemodel.strategy']).toBeUndefined();
  });

  it('fastest: insert-only, unordered, 4 tasks, whole polls as bulk writes', () => {
    const c = sinkConfig('fastest', { ...base, maxPollRecords: 5000 });
    expect(c).toMatchObject({
      'tasks.max': '4',
      'writemodel.strategy': `${S}.writemodel.strategy.InsertOneDefaultStrategy`,
      'bulk.write.ordered': 'false',
      'max.batch.size': '0',
      'consumer.override.max.poll.records': '5000',
    });
    expect(c['document.id.strategy']).toBeUndefined();
    expect(sinkConfig('fastest', { ...base, tasks: 2 })['consumer.override.max.poll.records']).toBe('5000');
    expect(sinkConfig('fastest', { ...base, tasks: 2 })['tasks.max']).toBe('2');
  });

  it('renders a standalone connector .properties file', () => {
    expect(renderProperties('sink', { 'tasks.max': '1', topics: 't' }, 'x')).toBe('# x\nname=sink\ntasks.max=1\ntopics=t\n');
  });

  it('rates, ratios and connector failures', () => {
    expect(rate(1000, 2)).toBe(500);
    expect(rate(1000, 0)).toBeNaN();
    expect(ratio(1158, 8824)).toBe(0.131);
    expect(ratio(1, 0)).toBeNaN();
    expect(failureOf({ connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] })).toBeUndefined();
    expect(failureOf({ connector: { state: 'RUNNING' }, tasks: [{ id: 2, state: 'FAILED', trace: 'org.apache.kafka.connect.errors.ConnectException: boom\n\tat x' }] })).toBe(
      'task 2 FAILED: org.apache.kafka.connect.errors.ConnectException: boom',
    );
    expect(failureOf(undefined)).toBeUndefined();
  });
});
