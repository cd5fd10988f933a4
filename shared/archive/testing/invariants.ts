/**
 * The cold path's end-state invariants, checked by unit and integration tests after a move
 * (and after a crash + rerun): every order in exactly one place, none twice in the archive,
 * catalog partitions == partition directories holding data files.
 */
import type { ArchiveStorage, Catalog } from '../ports.ts';
import { TABLE_DIR, batchOfFile, dtOfDir } from '../layout.ts';
import { readArchivedOrders } from '../reader.ts';
import { DEFAULT_TARGET, partitionLocation, type ArchiveTarget } from '../table.ts';
import { toCents } from '../../contract/money.ts';

export interface ArchiveState {
  archivedIds: string[];
  archivedCents: number;
  archivedQuantity: number;
  dirsWithFiles: string[];
  catalogDts: string[];
  problems: string[];
}

export async function archiveState(
  storage: ArchiveStorage,
  catalog: Catalog,
  hotIds: ReadonlySet<string>,
  allIds: readonly string[],
  target: ArchiveTarget = DEFAULT_TARGET,
): Promise<ArchiveState> {
  const problems: string[] = [];
  const archivedIds: string[] = [];
  let cents = 0;
  let quantity = 0;
  // Read every dt= directory (not only registered ones) so that unregistered files are seen too.
  for await (const r of readArchivedOrders(storage, undefined, target)) {
    archivedIds.push(r.order_id);
    cents += toCents(r.total_amount);
    quantity += r.quantity;
  }
  const archived = new Set(archivedIds);
  if (archived.size !== archivedIds.length) problems.push(`${archivedIds.length - archived.size} orders appear twice in the archive`);
  let both = 0;
  let nowhere = 0;
  for (const id of allIds) {
    const inHot = hotIds.has(id);
    const inArchive = archived.has(id);
    if (inHot && inArchive) both++;
    if (!inHot && !inArchive) nowhere++;
  }
  if (both) problems.push(`${both} orders are both in the hot store and in the archive`);
  if (nowhere) problems.push(`${nowhere} orders are lost (neither hot nor archived)`);
  const known = new Set(allIds);
  const strangers = archivedIds.filter((id) => !known.has(id)).length;
  if (strangers) problems.push(`${strangers} archived orders were never seeded`);

  const dirsWithFiles: string[] = [];
  for (const dir of await storage.listDirs(TABLE_DIR)) {
    const dt = dtOfDir(dir);
    if (!dt) continue;
    const files = (await storage.list(dir)).filter((f) => batchOfFile(f.path) !== undefined);
    if (files.length > 0) dirsWithFiles.push(dt);
  }
  const partitions = await catalog.listPartitions(target.database, target.table);
  const catalogDts = partitions.map((p) => p.values[0] ?? '').sort();
  if (JSON.stringify(catalogDts) !== JSON.stringify([...dirsWithFiles].sort())) problems.push(`catalog partitions [${catalogDts.join(',')}] != directories with files [${dirsWithFiles.join(',')}]`);
  for (const p of partitions) {
    const want = partitionLocation(storage, p.values[0] ?? '');
    if (p.location.replace(/\/+$/, '') !== want.replace(/\/+$/, '')) problems.push(`partition ${p.values[0]} is at ${p.location}, expected ${want}`);
  }
  return { archivedIds, archivedCents: cents, archivedQuantity: quantity, dirsWithFiles: dirsWithFiles.sort(), catalogDts, problems };
}
