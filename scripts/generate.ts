/**
 * `npm run generate -- --rate N --count N --seed S [...]`: seeded order events to Kafka.
 * Options: see USAGE in dev/generator/cli-args.ts (or `npm run generate -- --help`).
 * Progress on stderr every second; a JSON summary on stdout at the end.
 */
import { loadConfig } from '../shared/platform/config.ts';
import { DependencyError, errorBody, OrderPulseError } from '../shared/platform/errors.ts';
import { createLogger } from '../shared/platform/log.ts';
import { createKafka, ensureTopics } from '../shared/adapters/kafka.ts';
import { parseOrExit } from '../shared/platform/args.ts';
import { parseGenerateArgs, USAGE, type GenerateArgs } from '../dev/generator/cli-args.ts';
import { DEFAULT_MODEL, type ModelParams } from '../dev/generator/model.ts';
import { createMessageStream } from '../dev/generator/stream.ts';
import { pump, type BatchSender, type PumpProgress } from '../dev/generator/pump.ts';
import { createKafkaBatchSender } from '../dev/generator/kafka-sender.ts';
import { createThreadedKafkaSender } from '../dev/generator/kafka-threaded-sender.ts';

const log = createLogger({ component: 'generate' });

function modelFor(args: GenerateArgs): ModelParams {
  if (args.flashEveryMinutes === undefined) return DEFAULT_MODEL;
  return { ...DEFAULT_MODEL, flash: { ...DEFAULT_MODEL.flash, meanGapMinutes: args.flashEveryMinutes } };
}

/** NDJSON on stdout, respecting back-pressure. */
const ndjsonSender: BatchSender = {
  async send(batch) {
    for (const m of batch) {
      const ok = process.stdout.write(typeof m.value === 'string' ? m.value + '\n' : Buffer.concat([m.value, Buffer.from('\n')]));
      if (!ok) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  },
};

function progressPrinter(total: number | undefined): (p: PumpProgress) => void {
  const tty = process.stderr.isTTY === true;
  return (p) => {
    const fields = { sent: p.sent, total: total ?? null, elapsed_s: Math.round(p.elapsedS * 10) / 10, rate: Math.round(p.rate), recent_rate: Math.round(p.recentRate), in_flight: p.inFlight, errors: p.errors };
    if (tty) process.stderr.write(`\rsent ${p.sent}${total === undefined ? '' : `/${total}`}  ${Math.round(p.recentRate)}/s (avg ${Math.round(p.rate)}/s)  in flight ${p.inFlight}  errors ${p.errors}   `);
    else log.info('progress', fields);
  };
}

async function main(): Promise<number> {
  const args = parseOrExit(USAGE, () => parseGenerateArgs(process.argv.slice(2), Date.now()), (a) => a.help);
  const stream = createMessageStream({ seed: args.seed, start: args.startMs, eventRate: args.eventRate, model: modelFor(args), incidents: args.incidents, dupRate: args.dupRate, badRate: args.badRate });
  const config = loadConfig();
  const topic = args.topic ?? config.topics.orders;
  const mode = args.dryRun ? 'dry-run' : args.ndjson ? 'ndjson' : 'kafka';

  let sender: BatchSender = { send: async () => undefined };
  let close = async (): Promise<void> => undefined;
  if (mode === 'ndjson') sender = ndjsonSender;
  if (mode === 'kafka') {
    const kafka = createKafka(config, 'orderpulse-generator', log);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(admin, [{ topic, partitions: args.partitions }]);
    } catch (cause) {
      throw cause instanceof OrderPulseError ? cause : new DependencyError('kafka', `${config.kafkaBrokers.join(',')} is not reachable; is the stack up? (npm run stack -- status)`, { cause });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const k = args.workers > 0 ? await createThreadedKafkaSender(kafka, topic, args.workers) : await createKafkaBatchSender(kafka, topic);
    sender = k;
    close = k.close;
  }

  const abort = new AbortController();
  const stop = (sig: string): void => {
    if (abort.signal.aborted) process.exit(130);
    log.warn(`${sig}: finishing in-flight sends (press again to quit at once)`);
    abort.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const gen = stream.generator;
  log.info('generating', { mode, topic: mode === 'kafka' ? topic : null, seed: args.seed, run_id: gen.runId, rate: args.rate, count: args.count ?? null, duration_s: args.durationS ?? null, event_rate: args.eventRate, start: new Date(gen.startMs).toISOString(), dup_rate: args.dupRate, bad_rate: args.badRate });
  const cpu0 = process.cpuUsage();
  try {
    const r = await pump({
      source: stream,
      sender,
      rate: args.rate,
      count: args.count,
      durationMs: args.durationS === undefined ? undefined : args.durationS * 1000,
      batchSize: args.batchSize,
      maxInFlight: args.inFlight,
      signal: abort.signal,
      onProgress: progressPrinter(args.count),
      onError: (err, attempt) => log.warn('send failed; retrying', { attempt, err }),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const cpu = process.cpuUsage(cpu0);
    const summary = {
      sent: r.sent,
      seconds: Math.round(r.seconds * 1000) / 1000,
      rate: Math.round(r.rate),
      seed: args.seed,
      first_order_id: r.firstOrderId,
      last_order_id: r.lastOrderId,
      orders: r.orders,
      duplicates: r.duplicates,
      bad: r.bad,
      errors: r.errors,
      // CPU time of this process per message (generation + encoding + Kafka client): the figure
      // that does not depend on how busy the machine is.
      send_ms: { mean: Math.round(r.sendMsMean * 10) / 10, max: Math.round(r.sendMsMax) },
      cpu_us_per_msg: r.sent > 0 ? Math.round(((cpu.user + cpu.system) / r.sent) * 10) / 10 : null,
      topic: mode === 'kafka' ? topic : null,
      mode,
      workers: mode === 'kafka' ? args.workers : 0,
      run_id: gen.runId,
      event_time: { first: new Date(gen.startMs).toISOString(), last: r.orders > 0 ? new Date(Math.floor(gen.timeMs)).toISOString() : null },
      flash_sales: gen.flashSales.length,
      // Ground truth for the alert detectors (docs/alerts.md): injected incidents and flash sales.
      incidents: gen.truth(),
      stopped_by: r.stoppedBy,
    };
    (mode === 'ndjson' ? process.stderr : process.stdout).write(JSON.stringify(summary) + '\n');
    return 0;
  } finally {
    await close().catch((err: unknown) => log.warn('producer disconnect failed', { err }));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.error('generate failed', { err, ...errorBody(err) });
    process.stderr.write(`generate failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
