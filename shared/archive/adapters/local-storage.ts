/**
 * ArchiveStorage on a local directory (the embedded default, ARCHIVE_URL=file:///abs/dir).
 * Writes go to a hidden temporary file in the same directory, fsync, then rename: a reader never
 * sees a partial file under the final name.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DependencyError, ValidationError } from '../../platform/errors.ts';
import type { ArchiveStorage } from '../ports.ts';

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Temporary and hidden names (`.x`, `_x`) are not archive files. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

export class LocalStorage implements ArchiveStorage {
  readonly root: string;

  constructor(root: string) {
    if (!path.isAbsolute(root)) throw new ValidationError('archive_url', `local archive root must be absolute, got ${root}`);
    this.root = path.resolve(root);
  }

  /** From `file:///abs/dir`. */
  static fromUrl(url: string): LocalStorage {
    const u = new URL(url);
    if (u.protocol !== 'file:') throw new ValidationError('archive_url', `not a file:// URL: ${url}`);
    return new LocalStorage(decodeURIComponent(u.pathname));
  }

  private abs(p: string): string {
    if (!p.startsWith('/')) throw new ValidationError('archive_path', `archive paths are absolute within the root, got ${p}`);
    const resolved = path.resolve(this.root, '.' + p);
    if (resolved !== this.root && !resolved.startsWith(this.root + path.sep)) throw new ValidationError('archive_path', `path escapes the archive root: ${p}`);
    return resolved;
  }

  describe(): string {
    return pathToFileURL(this.root).href;
  }

  locationOf(p: string): string {
    return pathToFileURL(this.abs(p)).href;
  }

  async put(p: string, bytes: Uint8Array): Promise<void> {
    const target = this.abs(p);
    const dir = path.dirname(target);
    const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
    try {
      await fs.mkdir(dir, { recursive: true });
      const fh = await fs.open(tmp, 'w');
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, target);
    } catch (cause) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new DependencyError('archive-storage', `cannot write ${target}: ${(cause as Error).message}`, { cause });
    }
  }

  async get(p: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await fs.readFile(this.abs(p)));
    } catch (cause) {
      throw new DependencyError('archive-storage', `cannot read ${this.abs(p)}: ${(cause as Error).message}`, { cause, retriable: !isNotFound(cause) });
    }
  }

  async exists(p: string): Promise<boolean> {
    try {
      await fs.stat(this.abs(p));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw new DependencyError('archive-storage', `cannot stat ${this.abs(p)}`, { cause: err });
    }
  }

  private async entries(dir: string): Promise<import('node:fs').Dirent[]> {
    try {
      return await fs.readdir(this.abs(dir), { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return [];
      throw new DependencyError('archive-storage', `cannot list ${this.abs(dir)}`, { cause: err });
    }
  }

  private join(dir: string, name: string): string {
    return dir === '/' ? `/${name}` : `${dir.replace(/\/+$/, '')}/${name}`;
  }

  async list(dir: string): Promise<{ path: string; size: number }[]> {
    const out: { path: string; size: number }[] = [];
    for (const e of await this.entries(dir)) {
      if (!e.isFile() || isHiddenName(e.name)) continue;
      const p = this.join(dir, e.name);
      const st = await fs.stat(this.abs(p));
      out.push({ path: p, size: st.size });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async listDirs(dir: string): Promise<string[]> {
    return (await this.entries(dir))
      .filter((e) => e.isDirectory() && !isHiddenName(e.name))
      .map((e) => this.join(dir, e.name))
      .sort();
  }

  async delete(p: string): Promise<void> {
    try {
      await fs.rm(this.abs(p), { force: true });
    } catch (cause) {
      throw new DependencyError('archive-storage', `cannot delete ${this.abs(p)}`, { cause });
    }
  }

  async mkdirs(dir: string): Promise<void> {
    await fs.mkdir(this.abs(dir), { recursive: true });
  }
}
