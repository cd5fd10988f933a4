/**
 * The registry of local services, in start order within each group.
 * core: started by `npm run stack -- up`; cold: only with `up --all` (or `--only name`);
 * opt-in: only with `--only name` (kafka-connect: the peer benchmark starts it itself; postgres:
 * the FerretDB service starts it when FERRETDB_BACKEND=postgresql).
 */
import { ConfigError } from '../../shared/platform/errors.ts';
import type { ServiceDef } from './service.ts';
import { kafkaService } from './kafka.ts';
import { ferretdbService } from './ferretdb.ts';
import { redisService } from './redis.ts';
import { hdfsService } from './hdfs.ts';
import { hiveService } from './hive.ts';
import { airflowService } from './airflow.ts';
import { sparkService } from './spark.ts';
import { kafkaConnectService } from './kafka-connect.ts';
import { postgresService } from './postgres.ts';

export const SERVICES: readonly ServiceDef[] = [kafkaService, postgresService, ferretdbService, redisService, hdfsService, hiveService, sparkService, airflowService, kafkaConnectService];

/** Other names accepted by `--only`. */
export const ALIASES: Readonly<Record<string, string>> = { postgresql: 'postgres', mongo: 'ferretdb', mongodb: 'ferretdb', webhdfs: 'hdfs', metastore: 'hive', 'hive-metastore': 'hive', connect: 'kafka-connect' };

/** Which services a command acts on: `only` (names or aliases) wins; else core, or all with `all`. */
export function selectServices(registry: readonly ServiceDef[], opts: { all?: boolean; only?: string[] }): ServiceDef[] {
  if (opts.only && opts.only.length > 0) {
    const byName = new Map(registry.map((s) => [s.name, s]));
    const picked: ServiceDef[] = [];
    for (const raw of opts.only) {
      const name = ALIASES[raw.toLowerCase()] ?? raw.toLowerCase();
      const s = byName.get(name);
      if (!s) throw new ConfigError(`unknown service "${raw}"; known: ${registry.map((r) => r.name).join(', ')}`);
      if (!picked.includes(s)) picked.push(s);
    }
    return registry.filter((s) => picked.includes(s));
  }
  return registry.filter((s) => s.group === 'core' || (opts.all === true && s.group === 'cold'));
}
