import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/platform/config.ts';
import { KAFKA_VERSION } from './kafka.ts';
import { connectJavaArgs, KAFKA_CONNECT_LIBS, renderLog4j2, renderWorkerProperties } from './kafka-connect.ts';
import { stampOf } from './maven-libs.ts';

const parse = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('kafka-connect service', () => {
  it('runs the connect runtime of our broker version with the MongoDB connector 1.13.0', () => {
    const stamp = stampOf(KAFKA_CONNECT_LIBS);
    expect(stamp).toContain(`org.apache.kafka:connect-runtime:${KAFKA_VERSION}`);
    expect(stamp).toContain(`org.apache.kafka:connect-json:${KAFKA_VERSION}`);
    expect(stamp).toContain('org.mongodb.kafka:mongo-kafka-connect:1.13.0');
    expect(KAFKA_CONNECT_LIBS.mustHave).toBe(`connect-runtime-${KAFKA_VERSION}`);
  });

  it('renders a standalone worker on our broker, REST on 127.0.0.1:<port>, schemaless JSON values', () => {
    const w = parse(renderWorkerProperties({ brokers: ['127.0.0.1:9092'], restPort: 8383, dataDir: '/x/data' }));
    expect(w).toMatchObject({
      'bootstrap.servers': '127.0.0.1:9092',
      listeners: 'http://127.0.0.1:8383',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'offset.storage.file.filename': '/x/data/connect.offsets',
      'connector.client.config.override.policy': 'All',
    });
    expect(renderLog4j2()).toContain('rootLogger.level = INFO');
  });

  it('launches ConnectStandalone with the worker file and the libs on the classpath', () => {
    const a = connectJavaArgs({ dir: '/x', libsDir: '/x/libs' });
    expect(a.slice(-4)).toEqual(['-cp', '/x/libs/*', 'org.apache.kafka.connect.cli.ConnectStandalone', '/x/worker.properties']);
  });

  it('takes its REST port from KAFKA_CONNECT_PORT (default 8383, not 8080/8083)', () => {
    expect(loadConfig({}).kafkaConnectPort).toBe(8383);
    expect(loadConfig({ KAFKA_CONNECT_PORT: '18383' }).kafkaConnectPort).toBe(18383);
    expect(() => loadConfig({ KAFKA_CONNECT_PORT: 'x' })).toThrow(/KAFKA_CONNECT_PORT/);
  });
});
