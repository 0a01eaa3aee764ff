// Batches for training and validation: NHWC float32 tensors in [0, 1] as {lq, gt, paths},
// made ahead of time by worker threads so decoding and degradation overlap training.
// The order is a pure function of (seed, position), so a run resumes at any iteration and
// gets exactly the batches it would have seen; batch i is always batch i, whichever worker
// made it.
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { type BadFile, BadFileLog } from '../bad-files.js';
import type { DegradationSpec } from '../degradations/index.js';
import type { SourceSpec } from '../sources/source.js';
import { type HostBatch, type PipelineSpec, SamplePipeline } from './pipeline.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export interface DataLoaderOptions {
  source: SourceSpec;
  /** Degradation making lq from gt; default 'none' (paired folders bring their own lq). */
  degradation?: DegradationSpec | string;
  batchSize: number;
  /** Order and degradation seed; default 777 (the reference's). */
  seed?: number;
  /** Worker threads; 0 makes batches on the calling thread. Default 1. */
  workers?: number;
  /** Batches requested ahead; default 2 per worker (at least 2). */
  prefetch?: number;
  /** First iteration to produce (resume); default 0. */
  startIteration?: number;
  /** Shuffle per epoch; default true. Validation uses false. */
  shuffle?: boolean;
  /** Same lq for an item every epoch (validation); default !shuffle. */
  fixedDegradation?: boolean;
  /** Stop after this many passes over the data (the last batch may be short); default endless. */
  epochs?: number;
  /** Where skipped files and the open summary are reported; null for silence. */
  log?: ((line: string) => void) | null;
}

/** One batch on the backend. The caller owns (and disposes) lq and gt. */
export interface Batch {
  iteration: number;
  lq: tf.Tensor4D;
  gt: tf.Tensor4D;
  paths: string[];
}

interface Pending {
  resolve(batch: HostBatch): void;
  reject(err: Error): void;
}

const MAX_LOGGED = 20;

class WorkerHandle {
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  readonly ready: Promise<void>;

  constructor(readonly worker: Worker) {
    let readyResolve!: () => void;
    let readyReject!: (err: Error) => void;
    this.ready = new Promise((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') readyResolve();
      else if (msg.type === 'batch') this.settle(msg.id, (p) => p.resolve(msg.batch));
      else {
        const err =
          msg.name === 'UserError'
            ? new UserError(msg.message)
            : Object.assign(new Error(msg.message), { name: msg.name, stack: msg.stack });
        if (msg.id === undefined) {
          this.failure = err;
          readyReject(err);
          this.failAll(err);
        } else this.settle(msg.id, (p) => p.reject(err));
      }
    });
    worker.on('error', (err) => {
      this.failure = err;
      readyReject(err);
      this.failAll(err);
    });
    worker.on('exit', (code) => {
      const err = new Error(`data worker exited (code ${code})`);
      readyReject(err);
      this.failAll(err);
    });
  }

  private settle(id: number, fn: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (p) {
      this.pending.delete(id);
      fn(p);
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  request(id: number, iteration: number, positions: number[]): Promise<HostBatch> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'batch', id, iteration, positions } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

function spawnWorker(spec: PipelineSpec): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // running from TypeScript sources (tests, dev): bootstrap a transpiling loader first
    return new Worker(new URL('./ts-worker.mjs', here), {
      workerData: { spec, entry: new URL('./worker.ts', here).href },
    });
  }
  return new Worker(new URL('./worker.js', here), { workerData: { spec } });
}

export class DataLoader {
  private readonly workers: WorkerHandle[];
  private readonly queue = new Map<number, Promise<HostBatch>>();
  private readonly bad: BadFileLog;
  private next_: number;
  private logged = 0;
  private closed = false;

  private constructor(
    private readonly local: SamplePipeline,
    workers: WorkerHandle[],
    readonly batchSize: number,
    private readonly prefetch: number,
    startIteration: number,
    private readonly totalPositions: number,
    private readonly log: ((line: string) => void) | null,
  ) {
    this.workers = workers;
    this.next_ = startIteration;
    this.bad = new BadFileLog((file) => {
      this.logged++;
      if (this.logged <= MAX_LOGGED) this.log?.(`[data] skipped ${file.path}: ${file.reason}`);
      else if (this.logged === MAX_LOGGED + 1) this.log?.('[data] more files skipped; see skipped()');
    });
  }

  static async open(options: DataLoaderOptions): Promise<DataLoader> {
    const batchSize = options.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new UserError(`batchSize: expected a whole number ≥ 1, got ${JSON.stringify(batchSize)}`);
    }
    const workerCount = options.workers ?? 1;
    if (!Number.isInteger(workerCount) || workerCount < 0) {
      throw new UserError(`workers: expected a whole number ≥ 0, got ${JSON.stringify(workerCount)}`);
    }
    const shuffle = options.shuffle ?? true;
    const spec: PipelineSpec = {
      source: options.source,
      degradation: options.degradation ?? 'none',
      seed: options.seed ?? 777,
      shuffle,
      fixedDegradation: options.fixedDegradation ?? !shuffle,
    };
    const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
    // Opening here first validates the spec, creates caches (kernel bank) before workers race
    // for them, and gives the length; workers open their own copy.
    const local = await SamplePipeline.open(spec);
    const epochs = options.epochs;
    if (epochs !== undefined && (!Number.isInteger(epochs) || epochs < 1)) {
      local.close();
      throw new UserError(`epochs: expected a whole number ≥ 1, got ${JSON.stringify(epochs)}`);
    }
    const total = epochs === undefined ? Number.POSITIVE_INFINITY : epochs * local.length;
    const handles = Array.from({ length: workerCount }, () => new WorkerHandle(spawnWorker(spec)));
    try {
      await Promise.all(handles.map((h) => h.ready));
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()));
      local.close();
      throw err;
    }
    const prefetch = options.prefetch ?? Math.max(2, 2 * workerCount);
    const loader = new DataLoader(
      local,
      handles,
      batchSize,
      prefetch,
      options.startIteration ?? 0,
      total,
      log,
    );
    log?.(
      `[data] ${local.source.description}; degradation ${local.degradation.name}; ${workerCount} worker${workerCount === 1 ? '' : 's'}`,
    );
    for (const f of local.source.badAtOpen) loader.bad.add(f);
    return loader;
  }

  /** Items in the source's split. */
  get length(): number {
    return this.local.length;
  }

  get gtSize(): number {
    return this.local.gtSize;
  }

  get lqSize(): number {
    return this.local.lqSize;
  }

  get description(): string {
    return this.local.source.description;
  }

  /** The iteration the next call to next() returns. */
  get iteration(): number {
    return this.next_;
  }

  /** Batches per pass over the data (the last one may be short). */
  get batchesPerEpoch(): number {
    return Math.ceil(this.local.length / this.batchSize);
  }

  /** True once a finite loader (epochs set) has produced its last batch. */
  get done(): boolean {
    return this.next_ * this.batchSize >= this.totalPositions;
  }

  /** Every file skipped so far (each also reported once through `log`). */
  skipped(): BadFile[] {
    return this.bad.list();
  }

  skippedSummary(): string {
    return this.bad.summary();
  }

  private positions(iteration: number): number[] {
    const start = iteration * this.batchSize;
    const end = Math.min(start + this.batchSize, this.totalPositions);
    return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
  }

  private request(iteration: number): Promise<HostBatch> {
    const positions = this.positions(iteration);
    if (this.workers.length === 0) return this.local.batch(iteration, positions);
    return this.workers[iteration % this.workers.length]!.request(iteration, iteration, positions);
  }

  private topUp(): void {
    for (let it = this.next_; it < this.next_ + this.prefetch; it++) {
      if (it * this.batchSize >= this.totalPositions) break;
      if (!this.queue.has(it)) {
        const p = this.request(it);
        p.catch(() => {}); // surfaced when awaited
        this.queue.set(it, p);
      }
    }
  }

  /** The next batch as host arrays (no tensors): what `ugp data synth` writes. */
  async nextHost(): Promise<HostBatch> {
    if (this.closed) throw new Error('DataLoader is closed');
    if (this.done) throw new Error(`DataLoader finished after ${this.next_} batches`);
    const it = this.next_;
    // in-process mode computes on await, so prefetching would only reorder work
    if (this.workers.length === 0) {
      this.next_++;
      const batch = await this.local.batch(it, this.positions(it));
      for (const f of batch.skipped) this.bad.add(f);
      return batch;
    }
    this.topUp();
    const batch = await this.queue.get(it)!;
    this.queue.delete(it);
    this.next_++;
    this.topUp();
    for (const f of batch.skipped) this.bad.add(f);
    return batch;
  }

  /** The next batch as NHWC float32 tensors on the active backend (the caller disposes them). */
  async next(): Promise<Batch> {
    const b = await this.nextHost();
    return {
      iteration: b.iteration,
      lq: tf.tensor4d(b.lq, b.lqShape),
      gt: tf.tensor4d(b.gt, b.gtShape),
      paths: b.paths,
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    while (!this.done) yield await this.next();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.close()));
    this.local.close();
    this.queue.clear();
  }
}
