// One sample = source item (gt) → degradation (lq), a pure function of (spec, position).
// This file has no tfjs dependency: it runs in the loader's worker threads.
import { UserError } from '@ugpnet/core';
import { Rng } from '@ugpnet/tensor';
import { type BadFile, BadImageError } from '../bad-files.js';
import { createDegradation, type Degradation, type DegradationSpec } from '../degradations/index.js';
import type { RgbImage } from '../image.js';
import { openSource } from '../sources/index.js';
import type { ImageSource, LoadTarget, SourceSpec } from '../sources/source.js';
import { SampleOrder } from './order.js';

/** Everything a worker needs to rebuild the same pipeline (JSON-serialisable). */
export interface PipelineSpec {
  source: SourceSpec;
  degradation: DegradationSpec | string;
  seed: number;
  shuffle: boolean;
  /** Degradation randomness from the item index (the same lq every epoch) instead of the position. */
  fixedDegradation: boolean;
}

export interface Sample {
  gt: RgbImage;
  lq: RgbImage;
  path: string;
}

/** A batch on the host: NHWC float32 in [0, 1], ready to become tensors. */
export interface HostBatch {
  iteration: number;
  positions: number[];
  gt: Float32Array;
  gtShape: [number, number, number, number];
  lq: Float32Array;
  lqShape: [number, number, number, number];
  paths: string[];
  /** Files found unusable while making this batch (each reported by the loader once). */
  skipped: BadFile[];
}

export class SamplePipeline {
  readonly order: SampleOrder;
  private readonly known = new Set<number>();
  private readonly degradeRng: Rng;

  private constructor(
    readonly spec: PipelineSpec,
    readonly source: ImageSource,
    readonly degradation: Degradation,
  ) {
    this.order = new SampleOrder(source.length, spec.seed, spec.shuffle);
    this.degradeRng = new Rng(spec.seed).fork('degrade');
  }

  static async open(spec: PipelineSpec): Promise<SamplePipeline> {
    const degradation = await createDegradation(spec.degradation);
    const source = await openSource(spec.source);
    if (source.lqSize !== undefined && degradation.name !== 'none') {
      source.close();
      throw new UserError(
        `${source.root}: paired folders bring their own lq; use degradation 'none' (got '${degradation.name}')`,
      );
    }
    return new SamplePipeline(spec, source, degradation);
  }

  get length(): number {
    return this.source.length;
  }

  get gtSize(): number {
    return this.source.size;
  }

  get lqSize(): number {
    return this.source.lqSize ?? this.degradation.lqSize(this.source.size);
  }

  /**
   * The sample at a stream position; an unusable item is replaced by the next usable one.
   * With `into`, gt and lq are written into those arrays (the batch's memory).
   */
  async sample(position: number, skipped: BadFile[] = [], into?: LoadTarget): Promise<Sample> {
    const n = this.source.length;
    const first = this.order.indexAt(position);
    for (let attempt = 0; attempt < n; attempt++) {
      const index = (first + attempt) % n;
      if (this.known.has(index)) continue;
      try {
        const item = await this.source.load(index, into);
        const rng = this.degradeRng.fork(this.spec.fixedDegradation ? `item-${index}` : `pos-${position}`);
        const lq = item.lq ?? this.degradation.apply(item.gt, rng, into?.lq);
        return { gt: item.gt, lq, path: item.path };
      } catch (err) {
        if (!(err instanceof BadImageError)) throw err;
        this.known.add(index);
        skipped.push({ path: err.path, reason: err.reason });
      }
    }
    throw new UserError(
      `${this.source.root}: no usable image (all ${n} items failed to load${skipped[0] ? `, e.g. ${skipped[0].path}: ${skipped[0].reason}` : ''})`,
    );
  }

  async batch(iteration: number, positions: number[]): Promise<HostBatch> {
    const b = positions.length;
    const gs = this.gtSize;
    const ls = this.lqSize;
    const gt = new Float32Array(b * gs * gs * 3);
    const lq = new Float32Array(b * ls * ls * 3);
    const paths: string[] = [];
    const skipped: BadFile[] = [];
    for (let i = 0; i < b; i++) {
      // decode and degrade straight into the batch memory (no per-sample buffers)
      const into = {
        gt: gt.subarray(i * gs * gs * 3, (i + 1) * gs * gs * 3),
        lq: lq.subarray(i * ls * ls * 3, (i + 1) * ls * ls * 3),
      };
      const s = await this.sample(positions[i]!, skipped, into);
      if (s.gt.data !== into.gt) into.gt.set(s.gt.data);
      if (s.lq.data !== into.lq) into.lq.set(s.lq.data);
      paths.push(s.path);
    }
    return { iteration, positions, gt, gtShape: [b, gs, gs, 3], lq, lqShape: [b, ls, ls, 3], paths, skipped };
  }

  close(): void {
    this.source.close();
  }
}
