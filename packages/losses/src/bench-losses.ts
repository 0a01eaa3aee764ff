// `ugp bench losses`: forward + backward time of LPIPS and the patch-contextual loss per image
// size, their peak tensor memory (tf.profile) and the process RSS, plus how the contextual
// distance matrix grows when it is NOT taken patch-wise.
import * as tf from '@tensorflow/tfjs-core';
import { type BenchRow, median } from '@ugpnet/tensor';
import { contextualLoss, type PatchContextualLoss } from './contextual.js';
import { createLpips, createPatchContextualLoss, type FeatureNetOptions } from './feature-nets.js';
import { lpipsLoss } from './lpips.js';

export interface BenchLossesOptions extends FeatureNetOptions {
  backend: string;
  sizes?: number[];
  repeats?: number;
  batch?: number;
  /** Full-image (not patch-wise) contextual loss sizes to measure memory growth on (default: sizes ≤ 256). */
  fullContextualSizes?: number[];
  /** Which losses to run (default both). */
  losses?: Array<'lpips' | 'contextual'>;
  onCase?: (label: string) => void;
}

async function timeStep(step: () => tf.Tensor[], repeats: number): Promise<number> {
  const run = async () => {
    const t0 = performance.now();
    const out = step();
    await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
    return performance.now() - t0;
  };
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(await run());
  return median(times);
}

async function peakBytes(step: () => tf.Tensor[]): Promise<number> {
  const info = await tf.profile(() => {
    const out = step();
    tf.dispose(out);
  });
  return info.peakBytes;
}

const MB = 1024 * 1024;

export async function benchLosses(options: BenchLossesOptions): Promise<BenchRow[]> {
  const sizes = options.sizes ?? [64, 128, 256, 512];
  const repeats = options.repeats ?? 10;
  const batch = options.batch ?? 1;
  const rows: BenchRow[] = [];
  const which = options.losses ?? ['lpips', 'contextual'];
  const lpips = which.includes('lpips') ? createLpips(options) : undefined;
  let rssPeak = process.memoryUsage().rss;
  const push = (kase: string, metric: string, value: number, unit: string) => {
    rows.push({ bench: 'losses', backend: options.backend, case: kase, metric, value, unit });
  };
  const rss = () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    return rssPeak / MB;
  };
  const failed = new Set<string>();
  /** Times one case; a failure (e.g. wasm's 4 GB heap) becomes a NaN row and skips larger sizes. */
  const measure = async (loss: string, kase: string, step: () => tf.Tensor[], n: number) => {
    if (failed.has(loss)) return;
    options.onCase?.(kase);
    try {
      push(kase, 'fwd+bwd', await timeStep(step, n), 'ms');
      push(kase, 'peak_tensors', (await peakBytes(step)) / MB, 'MB');
      push(kase, 'rss', rss(), 'MB');
    } catch (err) {
      failed.add(loss);
      options.onCase?.(`${kase} failed: ${err instanceof Error ? err.message : String(err)}`);
      push(kase, 'fwd+bwd', Number.NaN, 'ms');
    }
  };

  for (const size of sizes) {
    const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 2) as tf.Tensor4D;

    // LPIPS at the image's own size (the training loss resizes to 256 first: see the 256 row).
    if (lpips) {
      const lpipsStep = () => {
        const { value, grads } = tf.valueAndGrads((o) =>
          lpipsLoss(lpips, o as tf.Tensor4D, y, { size: null }),
        )([x]);
        return [value, ...grads];
      };
      await measure('lpips', `${lpips.kind} ${batch}x${size}`, lpipsStep, repeats);
    }

    // Patch contextual (128 px patches, or the whole image when it is smaller).
    if (which.includes('contextual')) {
      const patch = Math.min(128, size);
      const cx: PatchContextualLoss = createPatchContextualLoss({ ...options, patchSize: patch });
      const cxStep = () => {
        const { value, grads } = tf.valueAndGrads((o) => cx.apply(o as tf.Tensor4D, y))([x]);
        return [value, ...grads];
      };
      const patches = batch * Math.floor(size / patch) ** 2;
      await measure('contextual', `${cx.kind} ${batch}x${size} (${patches}×${patch}px)`, cxStep, repeats);
      cx.dispose();
    }
    tf.dispose([x, y]);
  }
  lpips?.dispose();

  // The loss alone on relu3_4-sized features (H/4 × W/4, 256 channels): its [HW, HW]
  // matrices are what limits a non-patch-wise contextual loss.
  const fullSizes = which.includes('contextual') ? sizes.filter((s) => s <= 256) : [];
  for (const size of options.fullContextualSizes ?? fullSizes) {
    const side = size / 4;
    const fx = tf.randomNormal([1, side, side, 256], 0, 1, 'float32', 3) as tf.Tensor4D;
    const fy = tf.randomNormal([1, side, side, 256], 0, 1, 'float32', 4) as tf.Tensor4D;
    const step = () => {
      const { value, grads } = tf.valueAndGrads((a) => contextualLoss(a as tf.Tensor4D, fy))([fx]);
      return [value, ...grads];
    };
    const kase = `contextual loss only, relu3_4 of ${size}px (${side * side}² distances)`;
    await measure('full-contextual', kase, step, repeats);
    tf.dispose([fx, fy]);
  }
  return rows;
}
