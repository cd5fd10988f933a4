/**
 * Dev-only measurement behind the choice in docs/cold-services.md (Hive Metastore client): the
 * generated client against the hand-written codec it replaced, which is taken from git (commit
 * below) into .local/measure/hand-codec/. No server: in-process encode + decode.
 *
 *   npx tsx bench/metastore-codecs.ts [--rounds 25] [--ops 2000]
 *
 * Prints, for each: module load (fresh `node --import tsx` process, median of 5), client-side
 * time of a 30-column add_partition (encode the call, decode the Partition reply) and of a
 * get_table_req (encode, decode a 30-column Table reply), median per call over rounds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import thrift from 'thrift';
import { commandLine } from '../shared/platform/args.ts';
import type { TBufferedTransport } from 'thrift';
import { plain } from '../shared/archive/adapters/metastore/client.ts';
import { loadGenerated, type CallName, type GeneratedClient } from '../shared/archive/adapters/metastore/generated.ts';
import { CallCodec } from '../shared/archive/adapters/metastore/rpc.ts';
import type { HmsPartition, HmsTable } from '../shared/archive/adapters/metastore/types.ts';
import { median } from './stats.ts';

/** The last commit with the hand codec (codec.ts, schema.ts, the old rpc.ts and client.ts). */
const HAND_COMMIT = '4c55150';
const HAND_FILES = ['codec.ts', 'schema.ts', 'rpc.ts', 'client.ts', 'thrift-shim.d.ts'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = commandLine({
  usage: 'npx tsx bench/metastore-codecs.ts [--rounds 25] [--ops 2000]',
  options: {
    rounds: { type: 'number', min: 1, integer: true },
    ops: { type: 'number', min: 1, integer: true },
    help: { type: 'boolean', short: 'h' },
  },
}).parseOrExit(process.argv.slice(2));
const ROUNDS = args.rounds ?? 25;
const OPS = args.ops ?? 2000;


/** The hand codec as it was, in a tree of its own (its relative imports intact). */
function extractHandCodec(): string {
  const base = path.join(root, '.local', 'measure', 'hand-codec');
  const dir = path.join(base, 'shared', 'archive', 'adapters', 'metastore');
  mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(base, 'shared', 'platform'), { recursive: true });
  const show = (p: string): string => execFileSync('git', ['show', `${HAND_COMMIT}:${p}`], { cwd: root, encoding: 'utf8' });
  for (const f of HAND_FILES) writeFileSync(path.join(dir, f), show(`shared/archive/adapters/metastore/${f}`));
  writeFileSync(path.join(base, 'shared', 'platform', 'errors.ts'), show('shared/platform/errors.ts'));
  return dir;
}

/**
 * ms to import each of `codes` in a fresh process (tsx loader, as the functions run): median of
 * `n`, the processes of the candidates interleaved so that they share the machine's load.
 */
function loadTimes(codes: Record<string, string>, n = 5): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (let i = 0; i < n; i++) {
    for (const [name, code] of Object.entries(codes)) {
      const script = `const t0 = performance.now(); ${code}; process.stdout.write(String(performance.now() - t0));`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`load measurement of ${name} failed: ${r.stderr}`);
      (times[name] ??= []).push(Number(r.stdout));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const cols = Array.from({ length: 30 }, (_, i) => ({ name: `column_${i}`, type: i % 3 === 0 ? 'string' : i % 3 === 1 ? 'decimal(12,2)' : 'bigint' }));
const sd = {
  cols,
  location: 'hdfs://127.0.0.1:8020/orderpulse/orders_fact',
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  compressed: false,
  numBuckets: -1,
  serdeInfo: { name: '', serializationLib: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: { 'serialization.format': '1' } },
  bucketCols: [],
  sortCols: [],
  parameters: {},
};
const table: HmsTable = {
  tableName: 'orders_fact',
  dbName: 'orderpulse',
  owner: 'orderpulse',
  createTime: 1_795_000_000,
  lastAccessTime: 0,
  retention: 0,
  sd,
  partitionKeys: [{ name: 'dt', type: 'string' }],
  parameters: { EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY', transient_lastDdlTime: '1795000000' },
  tableType: 'EXTERNAL_TABLE',
  catName: 'hive',
};
const partition: HmsPartition = { values: ['2026-11-24'], dbName: 'orderpulse', tableName: 'orders_fact', createTime: 1_795_000_000, lastAccessTime: 0, sd: { ...sd, location: `${sd.location}/dt=2026-11-24` }, parameters: {} };

function transportOf(buf: Buffer): TBufferedTransport {
  let got: TBufferedTransport | undefined;
  thrift.TBufferedTransport.receiver((t) => {
    got = t;
  })(buf);
  if (!got) throw new Error('no transport');
  return got;
}

/** Reply bytes for `method` (a one-argument call) with `success`, written by the generated server side. */
async function replyBytes(method: CallName, invoke: (c: GeneratedClient) => Promise<unknown>, success: unknown): Promise<Buffer> {
  const gen = loadGenerated();
  const { bytes } = new CallCodec(gen).encode(invoke);
  if (!bytes) throw new Error('no call bytes');
  return new Promise((resolve) => {
    const out = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (m) => resolve(m)));
    // One argument each: the Processor takes a one-parameter handler as promise-returning.
    new gen.Processor({ [method]: (_arg: unknown) => success }).process(new thrift.TBinaryProtocol(transportOf(bytes)), out);
  });
}

/** The same reply with another seqid (strict binary header: version, name, seqid). */
function withSeqid(reply: Buffer, seqid: number): Buffer {
  const b = Buffer.from(reply);
  b.writeInt32BE(seqid, 8 + b.readUInt32BE(4));
  return b;
}

/**
 * Median µs per call of each candidate (`once` completes one call); rounds of OPS calls, the
 * candidates' rounds interleaved so that they share the machine's load.
 */
async function perCall(candidates: Record<string, () => Promise<void>>): Promise<Record<string, number>> {
  const rounds: Record<string, number[]> = {};
  for (const once of Object.values(candidates)) for (let i = 0; i < OPS; i++) await once(); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, once] of Object.entries(candidates)) {
      const t0 = performance.now();
      for (let i = 0; i < OPS; i++) await once();
      (rounds[name] ??= []).push(((performance.now() - t0) * 1000) / OPS);
    }
  }
  return Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, median(v)]));
}

interface HandRpc {
  encodeCall(registry: unknown, method: string, def: unknown, seqid: number, args: Record<string, unknown>): Buffer;
  decodeReply(registry: unknown, transport: TBufferedTransport, method: string, def: unknown, seqid: number): unknown;
}
interface HandSchema {
  STRUCTS: unknown;
  METHODS: Record<string, unknown>;
}

async function main(): Promise<void> {
  const handDir = extractHandCodec();
  const rel = (p: string): string => pathToFileURL(p).href;
  const hand = (await import(rel(path.join(handDir, 'rpc.ts')))) as HandRpc;
  const schema = (await import(rel(path.join(handDir, 'schema.ts')))) as HandSchema;

  const addReply = await replyBytes('add_partition', (c) => c.add_partition(partition), partition);
  const getReply = await replyBytes('get_table_req', (c) => c.get_table_req({ dbName: 'orderpulse', tblName: 'orders_fact' }), { table });

  // hand codec: encode the call, decode the reply (what its ThriftRpc did per call)
  const handCall = (method: string, args: Record<string, unknown>, reply: Buffer) => async (): Promise<void> => {
    const def = schema.METHODS[method];
    hand.encodeCall(schema.STRUCTS, method, def, 1, args);
    hand.decodeReply(schema.STRUCTS, transportOf(withSeqid(reply, 1)), method, def, 1);
  };
  // generated: CallCodec.encode, CallCodec.decode, and plain() as client.ts does
  const codec = new CallCodec(loadGenerated());
  const genCall = (method: CallName, invoke: (c: GeneratedClient) => Promise<unknown>, reply: Buffer) => async (): Promise<void> => {
    const { answer, seqid } = codec.encode(invoke);
    codec.decode(transportOf(withSeqid(reply, seqid)), method, seqid);
    plain(await answer);
  };

  const results = {
    'add_partition, 30 columns (µs/call)': await perCall({
      hand: handCall('add_partition', { new_part: partition as unknown as Record<string, unknown> }, addReply),
      generated: genCall('add_partition', (c) => c.add_partition(partition), addReply),
    }),
    'get_table_req, 30-column reply (µs/call)': await perCall({
      hand: handCall('get_table_req', { req: { dbName: 'orderpulse', tblName: 'orders_fact' } }, getReply),
      generated: genCall('get_table_req', (c) => c.get_table_req({ dbName: 'orderpulse', tblName: 'orders_fact' }), getReply),
    }),
    'module load, fresh process (ms)': loadTimes({
      hand: `await import(${JSON.stringify(rel(path.join(handDir, 'client.ts')))})`,
      generated: `const m = await import(${JSON.stringify(rel(path.join(root, 'shared/archive/adapters/metastore/client.ts')))}); (await import(${JSON.stringify(rel(path.join(root, 'shared/archive/adapters/metastore/generated.ts')))})).loadGenerated()`,
      'thrift package alone': `await import('thrift')`,
    }),
    'reply bytes': { add_partition: addReply.length, get_table_req: getReply.length },
  };
  for (const [k, v] of Object.entries(results)) {
    console.log(`${k}: ${Object.entries(v).map(([n, x]) => `${n} ${Number.isInteger(x) ? x : x.toFixed(2)}`).join(', ')}`);
  }
}

await main();
