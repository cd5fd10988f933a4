/**
 * The async queue's journal: every accepted call is written to a file (fsync'd) before the gateway
 * answers 202 and removed when its last attempt and callback are done, so calls still queued or
 * running when the gateway stops — or is killed — run when it starts again (at least once: a
 * call running at a crash runs again). One file per call:
 *   <dir>/<key>.call = one JSON line (the call without its body) + "\n" + the body bytes.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AsyncCall } from './async-queue.ts';

export interface AsyncJournal {
  /** Persist the call (sets call.journalKey). Throws when it cannot be written. */
  add(call: AsyncCall): void;
  remove(call: AsyncCall): void;
  /** The journaled calls, oldest first; unreadable files are reported and left in place. */
  load(): { calls: AsyncCall[]; unreadable: string[] };
  dir: string;
}

type Meta = Omit<AsyncCall, 'body'>;

export function fileJournal(dir: string): AsyncJournal {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let seq = 0;
  const fileOf = (key: string): string => path.join(dir, `${key}.call`);
  return {
    dir,
    add(call) {
      // Sortable by acceptance: time, then a per-process sequence.
      const key = `${String(call.enqueuedAt).padStart(15, '0')}-${String(seq++).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
      const { body, ...meta } = { ...call, journalKey: key };
      const head = Buffer.from(JSON.stringify(meta) + '\n', 'utf8');
      const tmp = path.join(dir, `.${key}.tmp`);
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeSync(fd, head);
        writeSync(fd, body);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, fileOf(key));
      call.journalKey = key;
    },
    remove(call) {
      if (call.journalKey) rmSync(fileOf(call.journalKey), { force: true });
    },
    load() {
      const calls: AsyncCall[] = [];
      const unreadable: string[] = [];
      for (const name of readdirSync(dir).sort()) {
        if (name.startsWith('.') && name.endsWith('.tmp')) {
          // Never acknowledged (the 202 comes after the rename).
          rmSync(path.join(dir, name), { force: true });
          continue;
        }
        if (!name.endsWith('.call')) continue;
        try {
          const raw = readFileSync(path.join(dir, name));
          const nl = raw.indexOf(0x0a);
          if (nl < 0) throw new Error('no header line');
          const meta = JSON.parse(raw.subarray(0, nl).toString('utf8')) as Meta;
          if (typeof meta.fn !== 'string' || typeof meta.callId !== 'string' || meta.journalKey !== name.slice(0, -'.call'.length)) throw new Error('bad header');
          calls.push({ ...meta, body: Buffer.from(raw.subarray(nl + 1)) });
        } catch {
          unreadable.push(name);
        }
      }
      return { calls, unreadable };
    },
  };
}
