/**
 * A BatchSender that hands batches to Kafka producers running in worker threads, so generating
 * and encoding events (this thread) and the Kafka client's own encoding (the workers) use
 * separate cores. Each worker owns a fixed set of partitions (partition % workers), so the order
 * of messages within a partition is kept, exactly as with one producer.
 */
import { Worker } from 'node:worker_threads';
import type { Kafka } from 'kafkajs';
import { DependencyError } from '../../shared/platform/errors.ts';
import type { FromWorker, ToWorker, WorkerInit } from './kafka-worker.ts';
import { topicPartitionCount } from '../../shared/adapters/kafka.ts';
import { partitionForKey } from '../../shared/adapters/kafka-partition.ts';
import type { BatchSender } from './pump.ts';
import { packBatch, type WireMessage } from './wire-batch.ts';

export interface ThreadedKafkaSender extends BatchSender {
  partitions: number;
  workers: number;
  close(): Promise<void>;
}

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

/**
 * Worker threads do not inherit tsx's module hooks, and a `.ts` entry cannot be started
 * directly: start a tiny JavaScript entry that registers tsx in the worker, then imports the
 * TypeScript worker module.
 */
function workerBootstrap(): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  let api = 'tsx/esm/api';
  try {
    if (typeof resolve === 'function') api = resolve('tsx/esm/api');
  } catch {
    // fall back to resolving the bare specifier from the working directory
  }
  const entry = new URL('./kafka-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

export async function createThreadedKafkaSender(kafka: Kafka, topic: string, workerCount: number): Promise<ThreadedKafkaSender> {
  const partitions = await topicPartitionCount(kafka, topic);
  const n = Math.max(1, Math.min(workerCount, partitions));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: Error | undefined;
  const bootstrap = workerBootstrap();

  const failAll = (e: Error): void => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  const workers = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const init: WorkerInit = { topic, clientId: `orderpulse-generator-${i}` };
      const w = new Worker(bootstrap, { eval: true, workerData: init, execArgv: [] });
      return new Promise<Worker>((resolve, reject) => {
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') resolve(w);
          else if (m.type === 'failed') reject(new DependencyError('kafka', `generator producer could not connect: ${m.error}; is the broker up? (npm run stack -- status)`));
          else {
            const p = pending.get(m.id);
            pending.delete(m.id);
            if (!p) return;
            if (m.error === undefined) p.resolve();
            else p.reject(new DependencyError('kafka', `send to ${topic} failed: ${m.error}`));
          }
        });
        w.on('error', (err) => {
          const e = new DependencyError('kafka', `generator worker ${i} crashed`, { cause: err });
          reject(e);
          failAll(e);
        });
        w.on('exit', (code) => {
          if (code !== 0) failAll(new DependencyError('kafka', `generator worker ${i} exited with code ${code}`));
        });
      });
    }),
  );

  const post = (w: Worker, messages: WireMessage[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const batch = packBatch(messages);
      const msg: ToWorker = { type: 'batch', id, batch };
      w.postMessage(msg, [batch.data, batch.offsets.buffer as ArrayBuffer, batch.partitions.buffer as ArrayBuffer]);
    });

  return {
    partitions,
    workers: n,
    async send(batch) {
      const perWorker = Array.from({ length: n }, () => [] as WireMessage[]);
      for (const m of batch) {
        const partition = partitionForKey(m.key, partitions);
        perWorker[partition % n]!.push({ key: m.key, value: m.value, partition });
      }
      await Promise.all(perWorker.map((msgs, i) => (msgs.length === 0 ? undefined : post(workers[i]!, msgs))));
    },
    async close() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.postMessage({ type: 'close' } satisfies ToWorker);
              setTimeout(() => void w.terminate().then(() => resolve()), 10_000).unref();
            }),
        ),
      );
    },
  };
}
