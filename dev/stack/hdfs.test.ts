import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HDFS_LIBS, hdfsJavaArgs, isFormatted, namesystemReady, renderLog4j } from './hdfs.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'op-hdfs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const input = { libsDir: '/l', dfsDir: '/d/data/dfs', log4jFile: '/d/log4j.properties', hdfsPort: 8020, webhdfsPort: 9870 };

describe('hdfs service', () => {
  it('runs MiniHadoopClusterManager without MapReduce on the configured ports with our base dir', () => {
    const args = hdfsJavaArgs({ ...input, format: false });
    const main = args.indexOf('org.apache.hadoop.mapreduce.MiniHadoopClusterManager');
    expect(main).toBeGreaterThan(0);
    expect(args.slice(main + 1, main + 8)).toEqual(['-nomr', '-datanodes', '1', '-nnport', '8020', '-nnhttpport', '9870']);
    expect(args).toContain('hdfs.minidfs.basedir=/d/data/dfs');
    expect(args).toContain('dfs.permissions.enabled=false');
    expect(args).toContain('-Dlog4j.configuration=file:/d/log4j.properties');
    expect(args[args.indexOf('-cp') + 1]).toBe('/l/*');
    expect(args).not.toContain('-format');
  });

  it('formats only when asked (first start), and every -D comes as a separate pair', () => {
    const args = hdfsJavaArgs({ ...input, format: true, hdfsPort: 18020, webhdfsPort: 19870 });
    expect(args).toContain('-format');
    expect(args[args.indexOf('-nnport') + 1]).toBe('18020');
    expect(args[args.indexOf('-nnhttpport') + 1]).toBe('19870');
    args.forEach((a, i) => {
      if (a === '-D') expect(args[i + 1]).toMatch(/^[\w.]+=\S+$/);
    });
  });

  it('knows whether the NameNode under a dir was formatted', () => {
    const dfs = path.join(tmp, 'dfs');
    expect(isFormatted(dfs)).toBe(false);
    fs.mkdirSync(path.join(dfs, 'name-0-1', 'current'), { recursive: true });
    expect(isFormatted(dfs)).toBe(false);
    fs.writeFileSync(path.join(dfs, 'name-0-1', 'current', 'VERSION'), 'namespaceID=1\n');
    expect(isFormatted(dfs)).toBe(true);
  });

  it('is ready only out of safe mode with a live DataNode', () => {
    expect(namesystemReady({ beans: [{ FSState: 'Operational', NumLiveDataNodes: 1 }] })).toBe(true);
    expect(namesystemReady({ beans: [{ FSState: 'safeMode', NumLiveDataNodes: 1 }] })).toBe(false);
    expect(namesystemReady({ beans: [{ FSState: 'Operational', NumLiveDataNodes: 0 }] })).toBe(false);
    expect(namesystemReady({ beans: [] })).toBe(false);
    expect(namesystemReady(undefined)).toBe(false);
  });

  it('installs the minicluster with an slf4j binding, and logs to the console (the service log)', () => {
    expect(HDFS_LIBS.deps.map((d) => d.artifact)).toEqual(['hadoop-client-minicluster', 'slf4j-reload4j']);
    expect(HDFS_LIBS.mustHave).toMatch(/^hadoop-client-minicluster-3\.5\./);
    expect(renderLog4j()).toMatch(/log4j\.rootLogger=INFO, console/);
  });
});
