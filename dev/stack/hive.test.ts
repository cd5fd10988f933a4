import { describe, expect, it } from 'vitest';
import { HIVE_LIBS, hiveJavaArgs, renderLog4j2, renderMetastoreSite } from './hive.ts';

const prop = (xml: string, name: string): string | undefined => new RegExp(`<name>${name.replace(/\./g, '\\.')}</name><value>([^<]*)</value>`).exec(xml)?.[1];

describe('hive service', () => {
  const xml = renderMetastoreSite({ dataDir: '/h/data', warehouseDir: '/h/warehouse', port: 19083 });

  it('configures embedded Derby with an auto-created schema', () => {
    expect(prop(xml, 'javax.jdo.option.ConnectionURL')).toBe('jdbc:derby:;databaseName=/h/data/metastore_db;create=true');
    expect(prop(xml, 'javax.jdo.option.ConnectionDriverName')).toBe('org.apache.derby.jdbc.EmbeddedDriver');
    expect(prop(xml, 'datanucleus.schema.autoCreateAll')).toBe('true');
    expect(prop(xml, 'metastore.schema.verification')).toBe('false');
  });

  it('serves Thrift on 127.0.0.1 and the configured port, with a local warehouse', () => {
    expect(prop(xml, 'metastore.thrift.port')).toBe('19083');
    expect(prop(xml, 'metastore.thrift.bind.host')).toBe('127.0.0.1');
    expect(prop(xml, 'metastore.warehouse.dir')).toBe('file:///h/warehouse');
    expect(Number(prop(xml, 'metastore.server.min.threads'))).toBeLessThanOrEqual(8);
  });

  it('escapes XML in values', () => {
    expect(renderMetastoreSite({ dataDir: '/a&b<c>', warehouseDir: '/w', port: 1 })).toContain('databaseName=/a&amp;b&lt;c&gt;/metastore_db');
  });

  it('puts the conf dir first on the classpath and starts HiveMetaStore on the port', () => {
    const args = hiveJavaArgs({ confDir: '/h/conf', libsDir: '/h/libs', port: 19083 });
    expect(args[args.indexOf('-cp') + 1]).toBe('/h/conf:/h/libs/*');
    expect(args.slice(-3)).toEqual(['org.apache.hadoop.hive.metastore.HiveMetaStore', '-p', '19083']);
    expect(args).toContain('-Dlog4j2.configurationFile=/h/conf/metastore-log4j2.properties');
  });

  it('keeps the shaded hadoop-client-api and a second slf4j binding out of the jars', () => {
    const server = HIVE_LIBS.deps.find((d) => d.artifact === 'hive-standalone-metastore-server');
    expect(server?.exclusions).toContain('org.apache.hadoop:hadoop-client-api');
    for (const d of HIVE_LIBS.deps.filter((x) => x.group === 'org.apache.hadoop')) expect(d.exclusions).toContain('org.slf4j:slf4j-reload4j');
    expect(HIVE_LIBS.deps.map((d) => d.artifact)).toEqual(expect.arrayContaining(['hadoop-hdfs', 'hadoop-hdfs-client', 'disruptor']));
    expect(renderLog4j2()).toMatch(/rootLogger\.level = INFO/);
  });
});
