#!/usr/bin/env node
// Installs what the project needs on a fresh machine before any TypeScript runs:
// npm packages (npm ci when package-lock.json changed). Services install themselves
// through `npm run stack -- up` (jars from Maven Central, FerretDB from the Go module proxy,
// Debian packages with apt-get). Plain JavaScript with no dependencies on purpose.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (msg) => { if (!quiet) process.stderr.write(`[bootstrap] ${msg}\n`); };

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`[bootstrap] Node ${process.versions.node} is too old: install Node 20.19 or newer.\n`);
  process.exit(1);
}

const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.orderpulse-lock-sha1');
const want = createHash('sha1').update(readFileSync(lock)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (want !== have) {
  say('installing npm packages (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('[bootstrap] npm ci failed: check the npm registry is reachable and package-lock.json is valid.\n');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, want + '\n');
} else {
  say('npm packages up to date');
}
