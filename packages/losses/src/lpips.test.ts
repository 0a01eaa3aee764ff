import * as tf from '@tensorflow/tfjs-core';
import { initBackend, pthStateDict, readPth } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLpips, createPatchContextualLoss, lpipsFromStateDicts } from './feature-nets.js';
import { type Lpips, lpipsLoss, lpipsMetric } from './lpips.js';
import { goldenPath, loadNhwc, loadNpy, maxAbsDiff } from './testing/golden.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describeGolden('LPIPS on golden/lpips (narrow VGG16 trunk)', () => {
  let lpips: Lpips;
  let in0: tf.Tensor4D;
  let in1: tf.Tensor4D;

  beforeAll(async () => {
    const vgg = pthStateDict(await readPth(goldenPath('lpips', 'vgg16_features_narrow.pth')));
    const lin = pthStateDict(await readPth(goldenPath('lpips', 'lpips_lin.pth')));
    lpips = lpipsFromStateDicts(vgg, lin);
    in0 = loadNhwc('lpips', 'in0.npy') as tf.Tensor4D;
    in1 = loadNhwc('lpips', 'in1.npy') as tf.Tensor4D;
  });

  afterAll(() => {
    lpips.dispose();
    tf.dispose([in0, in1]);
  });

  it('reads widths from the weights (8 … 64)', () => {
    expect([...lpips.vgg.features.convs.values()].map((c) => c.outChannels)).toEqual([
      8, 8, 16, 16, 32, 32, 32, 64, 64, 64, 64, 64, 64,
    ]);
  });

  it('matches distance and per_layer of LPIPS(in0, in1, normalize=True)', async () => {
    const r = tf.tidy(() => lpips.forward(tf.sub(tf.mul(in0, 2), 1), tf.sub(tf.mul(in1, 2), 1)));
    const distance = loadNpy('lpips', 'distance.npy');
    const perLayer = loadNpy('lpips', 'per_layer.npy');
    expect(maxAbsDiff(await r.distance.data(), distance.data)).toBeLessThan(1.4e-4);
    expect(maxAbsDiff(await r.perLayer.data(), perLayer.data)).toBeLessThan(1e-4);
    tf.dispose([r.distance, r.perLayer]);
    // The batched metric gives the same numbers, one batch at a time.
    const metric = await lpipsMetric(lpips, in0, in1, { batchSize: 1 });
    expect(maxAbsDiff(metric, distance.data)).toBeLessThan(1.4e-4);
  });

  it('matches UGPNet LpipsLoss (bicubic 256, batch mean)', async () => {
    const ref = JSON.parse(
      (await import('node:fs')).readFileSync(goldenPath('lpips', 'manifest.json'), 'utf8'),
    ).scalars[0] as { value: number; tolerance_abs: number };
    const loss = lpipsLoss(lpips, in0, in1);
    expect(Math.abs((await loss.data())[0]! - ref.value)).toBeLessThan(ref.tolerance_abs);
    loss.dispose();
  });
});

describe('createLpips without pretrained files', () => {
  it('falls back to the fixed-seed proxy, named lpips_proxy, and is deterministic', async () => {
    const a = createLpips({ weightsDir: null, proxyWidthDivisor: 8 });
    const b = createLpips({ weightsDir: null, proxyWidthDivisor: 8 });
    expect(a.kind).toBe('lpips_proxy');
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const da = await lpipsMetric(a, x, y);
    const db = await lpipsMetric(b, x, y);
    expect(Array.from(da)).toEqual(Array.from(db));
    const same = await lpipsMetric(a, x, x);
    expect(Math.max(...same)).toBeLessThan(1e-6);
    expect(Math.min(...da)).toBeGreaterThan(0);
    a.dispose();
    b.dispose();
    tf.dispose([x, y]);
  });
});

describe('perceptual losses in a training step', () => {
  it('keep tf.memory().numTensors flat across value-and-gradient steps', async () => {
    const lpips = createLpips({ weightsDir: null, proxyWidthDivisor: 8 });
    const cx = createPatchContextualLoss({ weightsDir: null, proxyWidthDivisor: 8, patchSize: 16 });
    const x = tf.variable(tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5));
    const y = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.add(
            lpipsLoss(lpips, x as tf.Tensor4D, y, { size: 48 }),
            tf.mul(0.05, cx.apply(x as tf.Tensor4D, y)),
          ) as tf.Scalar,
        [x],
      );
      x.assign(tf.sub(x, tf.mul(grads[x.name]!, 0.01)));
      tf.dispose([value, grads[x.name]!]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(step);
    expect(tf.memory().numTensors).toBe(before);
    lpips.dispose();
    cx.dispose();
    tf.dispose([x, y]);
  });
});
