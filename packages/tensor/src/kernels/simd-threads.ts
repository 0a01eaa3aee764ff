// Runs our SIMD kernels on more than one core. tfjs' threaded wasm build keeps its heap in a shared
// memory, so helper threads (wasm/simd-kernels-worker.mjs) instantiate the same kernels on it and
// each runs its share of a job (e.g. a range of output rows into its own partial filter).
// Jobs go through a small shared control block (Atomics.wait/notify), so a call stays synchronous,
// as a tfjs kernel must be.
import { Worker } from 'node:worker_threads';

/** Slot indices of the shared control block (Int32). */
const LAYOUT = {
  /** Job counter; bumped to post a job, -1 to stop. */
  sequence: 0,
  /** Helpers finished with the current job. */
  done: 1,
  /** Index into THREADED_EXPORTS. */
  kernel: 2,
  /** First helper's argument block: [count, ...args]. */
  args: 4,
  argStride: 24,
} as const;

/** The exports a job can run, by the index the worker reads. */
export const THREADED_EXPORTS = ['convFilterGrad', 'depthwiseFilterGrad'] as const;
export type ThreadedExport = (typeof THREADED_EXPORTS)[number];

export class SimdThreads {
  private readonly slots: Int32Array;
  private sequence = 0;

  private constructor(
    private readonly workers: Worker[],
    control: SharedArrayBuffer,
  ) {
    this.slots = new Int32Array(control);
  }

  /** Starts `helpers` threads on `memory` (shared) and waits until each has its instance. */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    helpers: number,
  ): Promise<SimdThreads> {
    const control = new SharedArrayBuffer(4 * (LAYOUT.args + helpers * LAYOUT.argStride));
    const url = new URL('../../wasm/simd-kernels-worker.mjs', import.meta.url);
    const workers = Array.from(
      { length: helpers },
      (_, index) =>
        new Worker(url, {
          workerData: { module, memory, control, index, layout: LAYOUT, exports: THREADED_EXPORTS },
        }),
    );
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', () => resolve());
              worker.once('error', reject);
              worker.once('exit', (code) => reject(new Error(`SIMD kernel thread exited (${code})`)));
            }),
        ),
      );
    } catch (err) {
      for (const worker of workers) void worker.terminate();
      throw err;
    }
    // Blocked in Atomics.wait between jobs: they must not keep the process alive.
    for (const worker of workers) {
      worker.removeAllListeners();
      worker.unref();
    }
    return new SimdThreads(workers, control);
  }

  get helpers(): number {
    return this.workers.length;
  }

  /**
   * Posts one argument list per helper, runs `own` on the calling thread meanwhile, and returns
   * when every helper is done.
   */
  run(kernel: ThreadedExport, helperArgs: number[][], own: () => void): void {
    const { slots } = this;
    slots[LAYOUT.kernel] = THREADED_EXPORTS.indexOf(kernel);
    for (let i = 0; i < this.workers.length; i++) {
      const args = helperArgs[i] ?? [];
      const at = LAYOUT.args + i * LAYOUT.argStride;
      slots[at] = args.length;
      slots.set(args, at + 1);
    }
    Atomics.store(slots, LAYOUT.done, 0);
    this.sequence = this.sequence >= 0x7ffffffe ? 1 : this.sequence + 1;
    Atomics.store(slots, LAYOUT.sequence, this.sequence);
    Atomics.notify(slots, LAYOUT.sequence);
    own();
    for (;;) {
      const done = Atomics.load(slots, LAYOUT.done);
      if (done >= this.workers.length) break;
      Atomics.wait(slots, LAYOUT.done, done);
    }
  }

  stop(): void {
    Atomics.store(this.slots, LAYOUT.sequence, -1);
    Atomics.notify(this.slots, LAYOUT.sequence);
  }
}
