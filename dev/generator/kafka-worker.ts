/**
 * Worker-thread entry: one kafkajs producer that sends the packed batches the main thread
 * posts (see kafka-threaded-sender.ts). Keeps the Kafka client's CPU work off the thread that
 * generates events. Protocol: init -> ready | failed; batch -> done (ok or error); close -> exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { loadConfig } from '../../shared/platform/config.ts';
import { createKafka } from '../../shared/adapters/kafka.ts';
import { createLogger } from '../../shared/platform/log.ts';
import { unpackBatch, type PackedBatch } from './wire-batch.ts';

export interface WorkerInit {
  topic: string;
  clientId: string;
}
export type ToWorker = { type: 'batch'; id: number; batch: PackedBatch } | { type: 'close' };
export type FromWorker = { type: 'ready' } | { type: 'failed'; error: string } | { type: 'done'; id: number; error?: string };

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  const log = createLogger({ component: 'generate-worker', topic: init.topic });
  const post = (m: FromWorker): void => port.postMessage(m);
  let producer: Producer | undefined;
  const start = async (): Promise<void> => {
    const kafka = createKafka(loadConfig(), init.clientId, log);
    producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  };
  start().then(
    () => post({ type: 'ready' }),
    (err: unknown) => post({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
  );
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      void (producer ? producer.disconnect() : Promise.resolve()).finally(() => port.close());
      return;
    }
    const p = producer;
    if (!p) {
      post({ type: 'done', id: m.id, error: 'producer not connected' });
      return;
    }
    p.send({ topic: init.topic, acks: -1, compression: CompressionTypes.None, messages: unpackBatch(m.batch) }).then(
      () => post({ type: 'done', id: m.id }),
      (err: unknown) => post({ type: 'done', id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
}
