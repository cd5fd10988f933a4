/**
 * Catalog as a JSON file (the embedded default when HIVE_METASTORE_URI is unset), e.g.
 * `<archive root>/_catalog.json`. Every change rewrites the whole file atomically (temporary file,
 * fsync, rename), serialised within the process; archive-move's lease serialises processes.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DependencyError, InvariantError } from '../../platform/errors.ts';
import type { Catalog, PartitionInfo, TableDef } from '../ports.ts';

interface CatalogFile {
  version: 1;
  tables: Record<string, { def: TableDef; partitions: Record<string, PartitionInfo> }>;
}

const key = (database: string, table: string): string => `${database}.${table}`;
const partKey = (values: string[]): string => JSON.stringify(values);

export class LocalCatalog implements Catalog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {
    if (!path.isAbsolute(file)) throw new InvariantError(`local catalog path must be absolute, got ${file}`);
  }

  describe(): string {
    return `local-catalog:${this.file}`;
  }

  private async read(): Promise<CatalogFile> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, tables: {} };
      throw new DependencyError('local-catalog', `cannot read ${this.file}`, { cause: err });
    }
    try {
      const parsed = JSON.parse(text) as CatalogFile;
      if (parsed.version !== 1 || typeof parsed.tables !== 'object') throw new Error('unexpected shape');
      return parsed;
    } catch (cause) {
      throw new InvariantError(`local catalog ${this.file} is corrupt; restore it or delete it and re-register the partitions`, { cause });
    }
  }

  private async write(data: CatalogFile): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    try {
      const fh = await fs.open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(data, null, 2) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, this.file);
    } catch (cause) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new DependencyError('local-catalog', `cannot write ${this.file}`, { cause });
    }
  }

  /** Run read-modify-write steps one at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  ensureTable(def: TableDef): Promise<void> {
    return this.serial(async () => {
      const data = await this.read();
      const k = key(def.database, def.table);
      const existing = data.tables[k];
      if (existing) {
        if (existing.def.location !== def.location) throw new InvariantError(`table ${k} exists at ${existing.def.location}, not ${def.location}`);
        return;
      }
      data.tables[k] = { def, partitions: {} };
      await this.write(data);
    });
  }

  async getTable(database: string, table: string): Promise<TableDef | undefined> {
    return (await this.read()).tables[key(database, table)]?.def;
  }

  addPartition(database: string, table: string, partition: PartitionInfo): Promise<void> {
    return this.serial(async () => {
      const data = await this.read();
      const t = data.tables[key(database, table)];
      if (!t) throw new InvariantError(`addPartition: table ${key(database, table)} does not exist (ensureTable first)`);
      if (partition.values.length !== t.def.partitionKeys.length) throw new InvariantError(`addPartition: ${t.def.partitionKeys.length} partition values expected, got ${partition.values.length}`);
      const pk = partKey(partition.values);
      const existing = t.partitions[pk];
      if (existing) {
        if (existing.location !== partition.location) throw new InvariantError(`partition ${pk} of ${key(database, table)} exists at ${existing.location}, not ${partition.location}`);
        return;
      }
      t.partitions[pk] = { values: [...partition.values], location: partition.location };
      await this.write(data);
    });
  }

  async listPartitions(database: string, table: string): Promise<PartitionInfo[]> {
    const t = (await this.read()).tables[key(database, table)];
    if (!t) return [];
    return Object.values(t.partitions).sort((a, b) => (partKey(a.values) < partKey(b.values) ? -1 : 1));
  }

  async close(): Promise<void> {
    await this.queue;
  }
}
