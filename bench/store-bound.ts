/**
 * The store's bound on issue 10 item 2's ratio (ingest ÷ raw insertMany of the same facts): how
 * fast the store takes ingest's own documents (registry entry + fact + first-seen customers and
 * products per event, through ingest's adapter, no validation, hashing or Kafka) against the raw
 * insertMany of the facts alone, in alternating rounds in one process, each into fresh databases.
 * Ingest cannot beat its own writes with no CPU work at all, so median(same ÷ raw) bounds its
 * ratio on this store. One pair of runs (bench/ingest.ts's store_bound_ratio) moves by ±40 % on a
 * shared 2-core machine; the rounds and their median are what to quote.
 * Prints one JSON object. `npx tsx bench/store-bound.ts [--events N] [--rounds N] [--own-ferretdb]`.
 * Needs FerretDB (`npm run stack -- up --only ferretdb`) unless --own-ferretdb.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { encodeEventBuffer } from '../dev/generator/encode.ts';
import { createGenerator } from '../dev/generator/generator.ts';
import { startOwnService } from '../dev/stack/own-service.ts';
import { connectMongo } from '../shared/adapters/mongo.ts';
import { commandLine } from '../shared/platform/args.ts';
import { loadConfig, type Config } from '../shared/platform/config.ts';
import { createLogger } from '../shared/platform/log.ts';
import { documentsOf, rawInsertMany, rawSameWrites } from './ingest.ts';
import { median } from './stats.ts';

export interface StoreBoundOptions {
  /** Events per round (default 20 000). */
  events?: number;
  /** Rounds; the order of the two measurements alternates (default 5). */
  rounds?: number;
  batch?: number;
  ownFerretdb?: boolean;
}

export interface StoreBoundRound {
  first: 'raw' | 'same';
  /** Raw insertMany of the facts, best of 1 and 4 writers (docs/s). */
  raw_docs_per_s: number;
  /** Ingest's own writes, best of 1 and 4 writers (events/s). */
  same_events_per_s: number;
  ratio: number;
  loadavg_1m: number;
}

export interface StoreBoundResult {
  events: number;
  batch: number;
  documents_per_event: number;
  rounds: StoreBoundRound[];
  median_ratio: number;
  min_ratio: number;
  max_ratio: number;
  target_ratio: number;
  store: string;
  command: string;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

async function measure(config: Config, opts: Required<Omit<StoreBoundOptions, 'ownFerretdb'>>, store: string): Promise<StoreBoundResult> {
  const log = createLogger({ bench: 'store-bound' });
  const g = createGenerator({ seed: 1, start: '2024-05-01T00:00:00Z', eventRate: 500 });
  const bytes = Array.from({ length: opts.events }, () => encodeEventBuffer(g.next()));
  const docs = documentsOf(bytes, config.maxEventBytes, new Date());
  const documentsPerEvent = (2 * docs.facts.length + docs.dims.reduce((a, d) => a + d.customers.length + d.products.length, 0)) / docs.facts.length;
  const rounds: StoreBoundRound[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const first = r % 2 === 0 ? 'raw' : 'same';
    const best = { raw: 0, same: 0 };
    for (const part of first === 'raw' ? (['raw', 'same'] as const) : (['same', 'raw'] as const)) {
      for (const c of [1, 4]) {
        const h = await connectMongo(config, `bench_bound_${part}_${c}_${Date.now().toString(36)}`);
        try {
          const rate = part === 'raw' ? await rawInsertMany(h, docs.facts, opts.batch, c) : await rawSameWrites(h, docs, opts.batch, c);
          best[part] = Math.max(best[part], rate);
        } finally {
          await h.db.dropDatabase().catch(() => undefined);
          await h.close().catch(() => undefined);
        }
      }
    }
    const x: StoreBoundRound = { first, raw_docs_per_s: Math.round(best.raw), same_events_per_s: Math.round(best.same), ratio: round(best.same / best.raw), loadavg_1m: round(os.loadavg()[0]!, 2) };
    rounds.push(x);
    log.info('round', { round: r + 1, of: opts.rounds, ...x });
  }
  const ratios = rounds.map((x) => x.ratio);
  return {
    events: opts.events,
    batch: opts.batch,
    documents_per_event: round(documentsPerEvent, 2),
    rounds,
    median_ratio: round(median(ratios)),
    min_ratio: Math.min(...ratios),
    max_ratio: Math.max(...ratios),
    target_ratio: 0.8,
    store,
    command: `npx tsx bench/store-bound.ts --events ${opts.events} --rounds ${opts.rounds}${store.startsWith('private') ? ' --own-ferretdb' : ''}`,
  };
}

export async function benchStoreBound(opts: StoreBoundOptions = {}): Promise<StoreBoundResult> {
  let config = loadConfig();
  const o = { events: opts.events ?? 20_000, rounds: opts.rounds ?? 5, batch: opts.batch ?? 2000 };
  const own = opts.ownFerretdb ? await startOwnService('ferretdb', config, createLogger({ bench: 'store-bound' }, () => undefined)) : undefined;
  if (own) config = { ...config, mongoUrl: own.env.MONGO_URL!, mongoExternal: true };
  try {
    return await measure(config, o, own ? 'private FerretDB v1.24.2 (SQLite)' : config.mongoExternal ? 'MONGO_URL' : 'FerretDB v1.24.2 (SQLite)');
  } finally {
    await own?.close();
  }
}

const cli = commandLine({
  usage: `Usage: npx tsx bench/store-bound.ts [options]

The store's bound on ingest's ratio to raw insertMany: ingest's own writes (no CPU work) against
raw insertMany of the facts, alternating rounds; prints one JSON object.

  --events N        events per round (default 20000)
  --rounds N        rounds (default 5; odd, so the median is one round)
  --batch N         documents per insert (default 2000, as ingest)
  --own-ferretdb    a private FerretDB (own port and data) instead of the stack's
  -h, --help        this text`,
  options: {
    events: { type: 'number', min: 1, integer: true },
    rounds: { type: 'number', min: 1, integer: true },
    batch: { type: 'number', min: 1, integer: true },
    'own-ferretdb': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: v } = cli.parseOrExit(process.argv.slice(2));
  benchStoreBound({ events: v.events, rounds: v.rounds, batch: v.batch, ownFerretdb: v['own-ferretdb'] }).then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (e: unknown) => {
      process.stderr.write(`store-bound bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
