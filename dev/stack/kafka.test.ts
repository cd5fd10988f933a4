import { describe, expect, it } from 'vitest';
import { KAFKA_VERSION, renderLog4j2, renderPom, renderServerProperties } from './kafka.ts';

function parseProps(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('=')) continue;
    const i = line.indexOf('=');
    expect(m.has(line.slice(0, i))).toBe(false);
    m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

describe('renderServerProperties', () => {
  const p = parseProps(renderServerProperties({ kafkaPort: 19092, kafkaControllerPort: 19093, dataDir: '/x/.local/kafka/data' }));

  it('configures a combined KRaft node on 127.0.0.1 with the given ports', () => {
    expect(p.get('process.roles')).toBe('broker,controller');
    expect(p.get('node.id')).toBe('1');
    expect(p.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:19093');
    expect(p.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(p.get('advertised.listeners')).toBe(p.get('listeners'));
    expect(p.get('controller.listener.names')).toBe('CONTROLLER');
    expect(p.get('log.dirs')).toBe('/x/.local/kafka/data');
  });

  it('sets single-node replication, no auto-creation, 4 partitions, no rebalance delay', () => {
    for (const k of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr', 'min.insync.replicas']) {
      expect(p.get(k), k).toBe('1');
    }
    expect(p.get('auto.create.topics.enable')).toBe('false');
    expect(p.get('num.partitions')).toBe('4');
    expect(p.get('group.initial.rebalance.delay.ms')).toBe('0');
  });
});

describe('renderPom / renderLog4j2', () => {
  it('asks for the broker and the slf4j 1.7 log4j2 binding', () => {
    const pom = renderPom();
    expect(pom).toContain(`<artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version>`);
    expect(pom).toContain('<artifactId>log4j-slf4j-impl</artifactId>');
    expect(pom).not.toContain('log4j-slf4j2-impl');
    expect(pom).toContain('<artifactId>log4j-core</artifactId>');
  });

  it('logs to the console (the service log) at INFO', () => {
    const l = renderLog4j2();
    expect(l).toContain('appender.console.type = Console');
    expect(l).toContain('rootLogger.level = INFO');
    expect(l).toContain('logger.quiet0.name = state.change.logger');
    const names = l.split('\n').filter((x) => /^logger\.\w+\.name/.test(x)).map((x) => x.split(' = ')[0]);
    expect(new Set(names).size).toBe(names.length);
  });
});
