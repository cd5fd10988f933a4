#!/usr/bin/env node
// Generates the Hive Metastore client from the committed interface definition
// (shared/archive/adapters/metastore/hive_metastore.thrift) into the git-ignored
// .local/gen/hive-metastore/, with Debian's thrift-compiler (installed with apt-get when the
// `thrift` binary is missing). Cached: a stamp holds the hash of the IDL, the generator options
// and the compiler version, so a second run does nothing. Run by scripts/bootstrap.mjs;
// by hand: node scripts/generate-thrift.mjs [--quiet] [--force].
// Plain JavaScript with no dependencies on purpose (it runs before npm packages are checked).
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Both paths are also named in shared/archive/adapters/metastore/generated.ts (the loader).
const idl = path.join(root, 'shared', 'archive', 'adapters', 'metastore', 'hive_metastore.thrift');
const out = path.join(root, '.local', 'gen', 'hive-metastore');
// node: CommonJS for Node; es6: classes and native Promises (no Q).
const GEN = 'js:node,es6';
const PKG = 'thrift-compiler';

const opts = (() => {
  try {
    return parseArgs({ options: { quiet: { type: 'boolean' }, force: { type: 'boolean' } } }).values;
  } catch (err) {
    process.stderr.write(`[generate-thrift] ${err.message}. Usage: node scripts/generate-thrift.mjs [--quiet] [--force]\n`);
    process.exit(2);
  }
})();
const quiet = opts.quiet === true;
const force = opts.force === true;
const say = (msg) => { if (!quiet) process.stderr.write(`[generate-thrift] ${msg}\n`); };
const die = (msg) => { process.stderr.write(`[generate-thrift] ${msg}\n`); process.exit(1); };

function thriftVersion() {
  const r = spawnSync('thrift', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function aptGet(args) {
  return spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 10 * 60_000 });
}

/** Install thrift-compiler like dev/stack/apt.ts does: install; on failure update and retry. */
function ensureThrift() {
  const have = thriftVersion();
  if (have) return have;
  say(`the thrift compiler is missing: installing ${PKG} (apt-get)…`);
  const install = ['install', '-y', '-q', '--no-install-recommends', PKG];
  let r = aptGet(install);
  if (r.status !== 0) {
    say('apt-get install failed; running apt-get update and trying again…');
    aptGet(['update', '-q']);
    r = aptGet(install);
  }
  const version = thriftVersion();
  if (r.status !== 0 || !version) {
    const detail = `${r.error?.message ?? ''}\n${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
    die(`cannot install ${PKG} (apt-get exit ${r.status ?? 'none'}); as root run: apt-get update && apt-get install -y ${PKG}\n${detail}`);
  }
  return version;
}

if (!existsSync(idl)) die(`${idl} is missing: restore it from git (git checkout -- ${path.relative(root, idl)})`);
const source = readFileSync(idl);
const stampFile = path.join(out, '.stamp');
const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
// The compiler version is part of the key; read it only when the cheap check fails.
const idlKey = createHash('sha256').update(source).update(`\0${GEN}`).digest('hex');
if (!force && have.startsWith(`${idlKey} `)) {
  say('Hive Metastore client up to date');
  process.exit(0);
}

const version = ensureThrift();
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const r = spawnSync('thrift', ['-gen', GEN, '-out', tmp, idl], { encoding: 'utf8' });
if (r.status !== 0) {
  rmSync(tmp, { recursive: true, force: true });
  die(`thrift -gen ${GEN} ${path.relative(root, idl)} failed (exit ${r.status}); fix the IDL:\n${(r.stderr || r.stdout).trim()}`);
}
// The project is "type": "module"; the generated files are CommonJS.
writeFileSync(path.join(tmp, 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(path.join(tmp, '.stamp'), `${idlKey} ${version}\n`);
// Swap the whole directory so a reader never sees half a generation.
rmSync(out, { recursive: true, force: true });
try {
  renameSync(tmp, out);
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  // Another run generated the same thing at the same moment: fine.
  if (!(existsSync(stampFile) && readFileSync(stampFile, 'utf8').startsWith(`${idlKey} `))) die(`cannot move the generated client into ${out}: ${err.message}`);
}
say(`generated the Hive Metastore client with ${version} into ${path.relative(root, out)}`);
