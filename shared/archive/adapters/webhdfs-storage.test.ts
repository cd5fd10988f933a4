import { describe, expect, it } from 'vitest';
import { DependencyError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { checkPath, createWebHdfsStorage, parseWebHdfsUrl, webHdfsError } from './webhdfs-storage.ts';

describe('parseWebHdfsUrl', () => {
  it('splits host, port, root and the optional namenode parameter', () => {
    expect(parseWebHdfsUrl('webhdfs://127.0.0.1:9870/orderpulse/archive/')).toEqual({ httpBase: 'http://127.0.0.1:9870', host: '127.0.0.1', root: '/orderpulse/archive', namenode: undefined });
    expect(parseWebHdfsUrl('webhdfs://nn.example:50070/')).toMatchObject({ httpBase: 'http://nn.example:50070', root: '' });
    expect(parseWebHdfsUrl('webhdfs://nn/x?namenode=nn:9000')).toMatchObject({ httpBase: 'http://nn:9870', namenode: 'nn:9000' });
  });

  it('rejects other schemes, dot segments and a malformed namenode', () => {
    expect(() => parseWebHdfsUrl('file:///tmp/x')).toThrow(ValidationError);
    expect(() => parseWebHdfsUrl('not a url')).toThrow(/not a URL/);
    // URL parsing already resolves /a/../b; an encoded separator must not smuggle one in
    expect(parseWebHdfsUrl('webhdfs://h:1/a/../b').root).toBe('/b');
    expect(() => parseWebHdfsUrl('webhdfs://h:1/a/..%2Fb')).toThrow(/\.\./);
    expect(() => parseWebHdfsUrl('webhdfs://h:1/a?namenode=nope')).toThrow(/host:port/);
  });
});

describe('checkPath', () => {
  it('accepts absolute archive paths and trims a trailing slash', () => {
    expect(checkPath('/orders_fact/dt=2026-11-24/part-0.parquet')).toBe('/orders_fact/dt=2026-11-24/part-0.parquet');
    expect(checkPath('/orders_fact/')).toBe('/orders_fact');
    expect(checkPath('/')).toBe('/');
  });

  it('rejects relative paths, empty, . and .. segments', () => {
    for (const bad of ['orders_fact', '/a//b', '/a/./b', '/a/../../etc', '']) expect(() => checkPath(bad), bad).toThrow(ValidationError);
  });
});

describe('WebHdfsStorage addressing', () => {
  it('maps archive paths under the root to hdfs:// locations on the NameNode RPC address', () => {
    const s = createWebHdfsStorage({ url: 'webhdfs://127.0.0.1:9870/orderpulse', namenodeRpc: '127.0.0.1:8020' });
    expect(s.describe()).toBe('webhdfs://127.0.0.1:9870/orderpulse');
    expect(s.hdfsPath('/orders_fact/dt=2026-11-24')).toBe('/orderpulse/orders_fact/dt=2026-11-24');
    expect(s.locationOf('/orders_fact/dt=2026-11-24')).toBe('hdfs://127.0.0.1:8020/orderpulse/orders_fact/dt=2026-11-24');
    expect(s.locationOf('/')).toBe('hdfs://127.0.0.1:8020/orderpulse');
  });

  it('derives the NameNode RPC address: option, else the URL parameter, else host:8020', () => {
    expect(createWebHdfsStorage({ url: 'webhdfs://nn:9870/r?namenode=nn:9000' }).locationOf('/a')).toBe('hdfs://nn:9000/r/a');
    expect(createWebHdfsStorage({ url: 'webhdfs://nn:9870/r?namenode=nn:9000', namenodeRpc: 'other:1' }).locationOf('/a')).toBe('hdfs://other:1/r/a');
    expect(createWebHdfsStorage({ url: 'webhdfs://nn:9870/' }).locationOf('/a')).toBe('hdfs://nn:8020/a');
    expect(() => createWebHdfsStorage({ url: 'webhdfs://nn:9870/', namenodeRpc: 'nn' })).toThrow(/host:port/);
  });

  it('refuses to write or delete the archive root itself', async () => {
    const s = createWebHdfsStorage({ url: 'webhdfs://127.0.0.1:1/r' });
    await expect(s.put('/', new Uint8Array(1))).rejects.toThrow(ValidationError);
    await expect(s.delete('/')).rejects.toThrow(/refusing/);
  });
});

describe('webHdfsError', () => {
  const rx = (exception: string, message: string): string => JSON.stringify({ RemoteException: { exception, javaClassName: `x.${exception}`, message } });

  it('maps 404 / FileNotFoundException to NotFoundError with the path', () => {
    const e = webHdfsError('OPEN', '/r/a', 404, rx('FileNotFoundException', 'File /r/a does not exist.'));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toContain('/r/a');
  });

  it('maps other RemoteExceptions to DependencyError with a hint; only transient ones are retriable', () => {
    const safe = webHdfsError('CREATE', '/r/a', 403, rx('SafeModeException', 'Name node is in safe mode.'));
    expect(safe).toBeInstanceOf(DependencyError);
    expect(safe.retriable).toBe(true);
    expect(safe.message).toMatch(/safe mode.*retry/);
    const noDn = webHdfsError('CREATE', '/r/a', 403, rx('IOException', 'Failed to find datanode, suggest to check cluster health. excludeDatanodes=null'));
    expect(noDn.retriable).toBe(true);
    expect(noDn.message).toMatch(/starting up/);
    const perm = webHdfsError('MKDIRS', '/r/a', 403, rx('AccessControlException', 'Permission denied'));
    expect(perm.retriable).toBe(false);
    expect(perm.message).toMatch(/user\.name/);
    const bad = webHdfsError('MKDIRS', '/r/f/x', 400, rx('ParentNotDirectoryException', '/r/f (is not a directory)'));
    expect(bad.retriable).toBe(false);
    expect(bad.message).toContain('ParentNotDirectoryException');
    const down = webHdfsError('LISTSTATUS', '/r', 503, '<html>Service Unavailable</html>');
    expect(down.retriable).toBe(true);
    expect(down.message).toMatch(/HTTP 503.*npm run stack/);
  });
});
