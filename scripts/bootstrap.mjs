#!/usr/bin/env node
// Installs what the project needs on a fresh machine before any TypeScript runs:
// npm packages (npm ci when package-lock.json changed). Services install themselves
// through `npm run stack -- up` (jars from Maven Central, FerretDB from the Go module proxy,
// Debian packages with apt-get). Plain JavaScript with no dependencies on purpose.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
// Several commands may bootstrap at once (npm test while npm run stack runs): serialise with a lock dir.
const lockDir = path.join(root, '.local', 'bootstrap.lock');
mkdirSync(path.dirname(lockDir), { recursive: true });
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const deadline = Date.now() + 10 * 60_000;
for (;;) {
  try {
    mkdirSync(lockDir);
    break;
  } catch {
    // A lock older than 10 minutes belongs to a dead bootstrap.
    try { if (Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000) rmSync(lockDir, { recursive: true, force: true }); } catch { /* gone */ }
    if (Date.now() > deadline) { process.stderr.write(`[bootstrap] waited 10 min for ${lockDir}; remove it if no install is running.\n`); process.exit(1); }
    sleep(500);
  }
}
try {
  const current = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (want !== current) {
    // Fresh tree: npm ci (exactly the lock). Existing tree: npm install, which changes only what
    // differs and never removes node_modules under processes that are running from it.
    const fresh = !existsSync(path.join(root, 'node_modules'));
    const args = fresh ? ['ci'] : ['install'];
    say(`installing npm packages (npm ${args[0]})…`);
    const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`[bootstrap] npm ${args[0]} failed: check the npm registry is reachable and package-lock.json is valid.\n`);
      process.exitCode = r.status ?? 1;
    } else {
      writeFileSync(stamp, want + '\n');
    }
  } else if (have !== '') {
    say('npm packages up to date');
  }
} finally {
  rmSync(lockDir, { recursive: true, force: true });
}
