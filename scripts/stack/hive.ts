/**
 * Hive standalone metastore with embedded Derby, as a local service.
 * Work in progress by the cold-services helper: the stub type-checks; install/start follow.
 */
import type { ServiceContext, ServiceDef, ServiceStatus } from './service.ts';
import { ServiceError } from '../../shared/errors.ts';
import path from 'node:path';

export const hiveService: ServiceDef = {
  name: 'hive',
  group: 'cold',
  async install(_ctx: ServiceContext): Promise<void> {
    throw new ServiceError('hive', 'not implemented yet');
  },
  async start(_ctx: ServiceContext): Promise<void> {
    throw new ServiceError('hive', 'not implemented yet');
  },
  async stop(_ctx: ServiceContext): Promise<void> {},
  async status(ctx: ServiceContext): Promise<ServiceStatus> {
    return { name: 'hive', running: false, healthy: false, endpoint: `thrift://127.0.0.1:${ctx.config.hivePort}`, logFile: path.join(ctx.dir, 'hive.log') };
  },
  async healthy(_ctx: ServiceContext): Promise<boolean> {
    return false;
  },
};
