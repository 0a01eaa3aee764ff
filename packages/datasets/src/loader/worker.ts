// Worker-thread entry: rebuilds the sample pipeline from its spec and answers batch requests
// one at a time (decoding and degradation happen here, off the training thread).
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { type HostBatch, type PipelineSpec, SamplePipeline } from './pipeline.js';

export type WorkerRequest =
  | { type: 'batch'; id: number; iteration: number; positions: number[] }
  | { type: 'close' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'batch'; id: number; batch: HostBatch }
  | { type: 'error'; id?: number; name: string; message: string; stack?: string };

// Parallelism comes from the worker threads; one libvips thread each avoids oversubscription.
sharp.concurrency(1);
sharp.cache(false);

const port = parentPort!;
const spec = (workerData as { spec: PipelineSpec }).spec;
const toReply = (err: unknown, id?: number): WorkerReply => {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', id, name: e.name, message: e.message, stack: e.stack };
};

try {
  const pipeline = await SamplePipeline.open(spec);
  let queue = Promise.resolve();
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'close') {
      queue = queue.then(() => {
        pipeline.close();
        port.close();
      });
      return;
    }
    queue = queue.then(async () => {
      try {
        const batch = await pipeline.batch(msg.iteration, msg.positions);
        port.postMessage({ type: 'batch', id: msg.id, batch } satisfies WorkerReply, [
          batch.gt.buffer as ArrayBuffer,
          batch.lq.buffer as ArrayBuffer,
        ]);
      } catch (err) {
        port.postMessage(toReply(err, msg.id));
      }
    });
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
} catch (err) {
  port.postMessage(toReply(err));
}
