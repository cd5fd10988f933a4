/**
 * FerretDB on its PostgreSQL backend (FERRETDB_BACKEND=postgresql) as private instances: our own
 * PostgreSQL cluster (Debian's, dev/stack/postgres.ts) on a free port, FerretDB on it, the unique
 * index and the ingest's duplicate-key answer, then both stopped and their data deleted. The shared
 * stack is never touched. (A database name must not start with `pg_`: PostgreSQL reserves those
 * schema names, and FerretDB maps a database to a schema.)
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import { loadConfig } from '../../shared/platform/config.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { startOwnService } from './own-service.ts';
import { portOpen } from './proc.ts';

const log = createLogger({ test: 'postgres.int' }, () => undefined);

describe('FerretDB on PostgreSQL (private instances)', () => {
  it('starts PostgreSQL and FerretDB on it, stores and enforces uniqueness, stops both cleanly', async () => {
    const own = await startOwnService('ferretdb', { ...loadConfig(), ferretdbBackend: 'postgresql' }, log);
    const pgPort = Number(own.env.POSTGRES_PORT);
    const client = await MongoClient.connect(own.env.MONGO_URL!);
    try {
      expect(await portOpen(pgPort)).toBe(true);
      const info = await client.db('admin').command({ buildInfo: 1 });
      expect(String(info.ferretdbVersion)).toMatch(/^v1\.24/);
      const col = client.db('op_pg_int').collection<{ _id: string; n: number }>('ids');
      await col.insertMany([{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }]);
      const err = await col.insertMany([{ _id: 'c', n: 3 }, { _id: 'a', n: 9 }], { ordered: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoBulkWriteError);
      expect(await col.countDocuments()).toBe(3);
      expect((await col.findOne({ _id: 'a' }))?.n).toBe(1);
    } finally {
      await client.close();
      await own.close();
    }
    expect(await portOpen(pgPort)).toBe(false);
    expect(fs.existsSync(own.ctx.dir)).toBe(false);
  }, 120_000);
});
