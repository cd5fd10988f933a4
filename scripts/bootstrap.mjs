#!/usr/bin/env node
// Installs what the project needs on a fresh machine before any TypeScript runs:
//   - npm packages (npm ci on a fresh tree, npm install when package-lock.json changed);
//   - Node 24 LTS, when the node running this script is older: the official build published on
//     the npm registry as `node-<platform>-<arch>` (pinned below), installed with npm into
//     .local/node24 and reused afterwards.
//   - the Hive Metastore client, generated from its Thrift IDL into .local/gen/ (scripts/generate-thrift.mjs).
// With --path it prints (alone on stdout) the PATH to run the project with: that Node's bin/ and
// node_modules/.bin first. Every npm script runs its command as
//   p=$(node scripts/bootstrap.mjs --path) && PATH=$p exec tsx <entry>.ts
// so tsx, vitest, tsc, eslint and every process they start (`node …`, process.execPath) run on
// Node 24, and the shell's `exec` leaves no extra process between npm and the command (signals
// such as Ctrl-C reach it exactly as before).
// Services install themselves through `npm run stack -- up` (jars from Maven Central, FerretDB
// from the Go module proxy, Debian packages with apt-get).
// Plain JavaScript with no dependencies, runnable by any Node >= 20, on purpose.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_VERSION = '24.22.3';
const NODE_MAJOR = Number(NODE_VERSION.split('.')[0]);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opts = (() => {
  try {
    return parseArgs({ options: { quiet: { type: 'boolean' }, path: { type: 'boolean' } } }).values;
  } catch (err) {
    process.stderr.write(`[bootstrap] ${err.message}. Usage: node scripts/bootstrap.mjs [--quiet] [--path]\n`);
    process.exit(2);
  }
})();
const quiet = opts.quiet === true;
const printPath = opts.path === true;
const say = (msg) => { if (!quiet) process.stderr.write(`[bootstrap] ${msg}\n`); };
const fail = (msg, code = 1) => { process.stderr.write(`[bootstrap] ${msg}\n`); process.exit(code); };

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`Node ${process.versions.node} is too old to bootstrap: install any Node 20 or newer (Node ${NODE_MAJOR} is then installed into .local/).`);

const localDir = path.join(root, '.local');
const nodeDir = path.join(localDir, `node${NODE_MAJOR}`);
const nodePackage = `node-${process.platform}-${process.arch}`;
const nodeBin = path.join(nodeDir, 'node_modules', nodePackage, 'bin');
const needNode = major < NODE_MAJOR;

// Several commands may bootstrap at once (npm test while npm run stack runs): serialise with a lock dir.
const lockDir = path.join(localDir, 'bootstrap.lock');
mkdirSync(localDir, { recursive: true });
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const deadline = Date.now() + 10 * 60_000;
for (;;) {
  try {
    mkdirSync(lockDir);
    break;
  } catch {
    // A lock older than 10 minutes belongs to a dead bootstrap.
    try { if (Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000) rmSync(lockDir, { recursive: true, force: true }); } catch { /* gone */ }
    if (Date.now() > deadline) fail(`waited 10 min for ${lockDir}; remove it if no install is running.`);
    sleep(500);
  }
}
let ok = true;
try {
  ok = installPackages() && (!needNode || installNode()) && generateThrift();
} finally {
  rmSync(lockDir, { recursive: true, force: true });
}
if (!ok) process.exit(1);
if (printPath) process.stdout.write(projectPath() + '\n');

function installPackages() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.orderpulse-lock-sha1');
  const want = createHash('sha1').update(readFileSync(lock)).digest('hex');
  const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (want === have) {
    say('npm packages up to date');
    return true;
  }
  // Fresh tree: npm ci (exactly the lock). Existing tree: npm install, which changes only what
  // differs and never removes node_modules under processes that are running from it.
  const fresh = !existsSync(path.join(root, 'node_modules'));
  const args = fresh ? ['ci'] : ['install'];
  say(`installing npm packages (npm ${args[0]})…`);
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['inherit', 2, 2] });
  if (r.status !== 0) {
    process.stderr.write(`[bootstrap] npm ${args[0]} failed: check the npm registry is reachable and package-lock.json is valid.\n`);
    return false;
  }
  writeFileSync(stamp, want + '\n');
  return true;
}

function installedNodeVersion() {
  try {
    return JSON.parse(readFileSync(path.join(nodeDir, 'node_modules', nodePackage, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function installNode() {
  if (installedNodeVersion() === NODE_VERSION && existsSync(path.join(nodeBin, 'node'))) {
    say(`Node ${NODE_VERSION} ready in ${path.relative(root, nodeDir)}`);
    return true;
  }
  say(`Node ${process.versions.node} runs here; installing Node ${NODE_VERSION} (${nodePackage} from the npm registry) into ${path.relative(root, nodeDir)}…`);
  // Install next to the target and rename, so an interrupted download never looks installed.
  const tmp = `${nodeDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'orderpulse-node', private: true }) + '\n');
  const r = spawnSync('npm', ['install', '--prefix', tmp, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${nodePackage}@${NODE_VERSION}`], { cwd: tmp, stdio: ['inherit', 2, 2] });
  const bin = path.join(tmp, 'node_modules', nodePackage, 'bin', 'node');
  const check = r.status === 0 ? spawnSync(bin, ['--version'], { encoding: 'utf8' }) : undefined;
  if (check?.status !== 0 || check.stdout.trim() !== `v${NODE_VERSION}`) {
    rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(
      `[bootstrap] installing Node ${NODE_VERSION} failed (${nodePackage}@${NODE_VERSION}): check the npm registry is reachable, ` +
        `or install Node ${NODE_MAJOR} yourself and run the command with it.\n`,
    );
    return false;
  }
  rmSync(nodeDir, { recursive: true, force: true });
  renameSync(tmp, nodeDir);
  say(`Node ${NODE_VERSION} installed`);
  return true;
}

/**
 * The Hive Metastore client, generated from the committed IDL by Debian's thrift-compiler into
 * .local/gen/ (cached by the IDL's hash; installs thrift-compiler with apt-get the first time).
 */
function generateThrift() {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'generate-thrift.mjs'), ...(quiet ? ['--quiet'] : [])], { cwd: root, stdio: ['inherit', 2, 2] });
  if (r.status !== 0) process.stderr.write('[bootstrap] generating the Hive Metastore client failed (see above): node scripts/generate-thrift.mjs\n');
  return r.status === 0;
}

/** PATH with the project's Node (this one when it is new enough) and node_modules/.bin first. */
function projectPath() {
  const node = needNode ? path.join(nodeBin, 'node') : process.execPath;
  return [path.dirname(node), path.join(root, 'node_modules', '.bin'), process.env.PATH].filter(Boolean).join(path.delimiter);
}
