/**
 * HDFS (NameNode + one DataNode with WebHDFS) from hadoop-client-minicluster, as a local service.
 * Work in progress by the cold-services helper: the stub type-checks; install/start follow.
 */
import type { ServiceContext, ServiceDef, ServiceStatus } from './service.ts';
import { ServiceError } from '../../shared/errors.ts';
import path from 'node:path';

export const hdfsService: ServiceDef = {
  name: 'hdfs',
  group: 'cold',
  async install(_ctx: ServiceContext): Promise<void> {
    throw new ServiceError('hdfs', 'not implemented yet');
  },
  async start(_ctx: ServiceContext): Promise<void> {
    throw new ServiceError('hdfs', 'not implemented yet');
  },
  async stop(_ctx: ServiceContext): Promise<void> {},
  async status(ctx: ServiceContext): Promise<ServiceStatus> {
    return { name: 'hdfs', running: false, healthy: false, endpoint: `webhdfs://127.0.0.1:${ctx.config.webhdfsPort}`, logFile: path.join(ctx.dir, 'hdfs.log') };
  },
  async healthy(_ctx: ServiceContext): Promise<boolean> {
    return false;
  },
};
