// `ugp bench kernels`: GFLOP/s of conv forward, input gradient and filter gradient on the active
// backend, and the time of one Adam training step of a small conv net next to its forward pass.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './backend.js';
import { type BenchRow, median } from './bench.js';
import { Adam } from './nn/adam.js';
import { Conv2d } from './nn/layers.js';
import { Rng } from './rng.js';

export interface BenchKernelsOptions {
  backend: BackendName;
  /** Timed iterations per measurement (the median is reported); at least 10 is advised. */
  repeats: number;
  /** Untimed iterations first. */
  warmup?: number;
}

interface ConvCase {
  name: string;
  input: [number, number, number, number];
  kernel: number;
  outChannels: number;
  depthwise: boolean;
}

const CONV_CASES: ConvCase[] = [
  { name: 'conv3x3 32->32 4x64x64', input: [4, 64, 64, 32], kernel: 3, outChannels: 32, depthwise: false },
  {
    name: 'conv3x3 64->64 8x128x128',
    input: [8, 128, 128, 64],
    kernel: 3,
    outChannels: 64,
    depthwise: false,
  },
  { name: 'dwconv3x3 64ch 8x128x128', input: [8, 128, 128, 64], kernel: 3, outChannels: 64, depthwise: true },
  {
    name: 'conv1x1 64->128 8x128x128',
    input: [8, 128, 128, 64],
    kernel: 1,
    outChannels: 128,
    depthwise: false,
  },
];

/** Waits for t's kernel to finish without copying it out (one element is enough to sync). */
function sync(t: tf.Tensor): void {
  const first = tf.tidy(() => tf.slice(tf.reshape(t, [-1]), 0, 1));
  first.dataSync();
  first.dispose();
}

/** Median wall time (ms) of `run`, which returns the tensors to sync on and then dispose. */
function timeMs(run: () => tf.Tensor[], repeats: number, warmup: number): number {
  const once = () => {
    const start = performance.now();
    const outs = run();
    for (const o of outs) sync(o);
    const ms = performance.now() - start;
    tf.dispose(outs);
    return ms;
  };
  for (let i = 0; i < warmup; i++) once();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(once());
  return median(times);
}

function benchConv(c: ConvCase, rng: Rng, repeats: number, warmup: number) {
  const [n, h, w, cin] = c.input;
  const k = c.kernel;
  const filterShape: [number, number, number, number] = c.depthwise
    ? [k, k, cin, 1]
    : [k, k, cin, c.outChannels];
  const x = tf.tensor4d(rng.normalArray(n * h * w * cin), c.input);
  const filter = tf.tensor4d(rng.normalArray(filterShape.reduce((a, b) => a * b)), filterShape);
  const dy = tf.tensor4d(rng.normalArray(n * h * w * c.outChannels), [n, h, w, c.outChannels]);
  const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as const;
  const forward = c.depthwise
    ? () => [tf.depthwiseConv2d(x, filter, 1, 'same')]
    : () => [tf.conv2d(x, filter, 1, 'same')];
  const inputGrad = c.depthwise
    ? () => [
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropInput,
            { dy, filter },
            { ...conv, inputShape: c.input },
          ) as tf.Tensor,
      ]
    : () => [
        tf
          .engine()
          .runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...conv, inputShape: c.input }) as tf.Tensor,
      ];
  const filterGrad = c.depthwise
    ? () => [
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropFilter,
            { x, dy },
            { ...conv, filterShape },
          ) as tf.Tensor,
      ]
    : () => [
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...conv, filterShape }) as tf.Tensor,
      ];
  const multiplies = n * h * w * k * k * cin * (c.depthwise ? 1 : c.outChannels);
  const gflops = (ms: number) => (2 * multiplies) / (ms * 1e6);
  const result = {
    forward_gflops: gflops(timeMs(forward, repeats, warmup)),
    input_grad_gflops: gflops(timeMs(inputGrad, repeats, warmup)),
    filter_grad_gflops: gflops(timeMs(filterGrad, repeats, warmup)),
  };
  tf.dispose([x, filter, dy]);
  return result;
}

/** Five 3×3 convs (3→32→32→32→32→3) with LeakyReLU(0.2), L1 loss, Adam. */
function benchToyStep(rng: Rng, repeats: number, warmup: number) {
  const channels = [3, 32, 32, 32, 32, 3];
  const convs = channels.slice(1).map((out, i) => new Conv2d(channels[i]!, out, 3, rng, { padding: 1 }));
  const params = convs.flatMap((conv, i) => conv.namedParameters(`${i}.`));
  const adam = new Adam(params, { lr: 1e-4 });
  const shape: [number, number, number, number] = [8, 64, 64, 3];
  const size = shape.reduce((a, b) => a * b);
  const x = tf.tensor4d(rng.normalArray(size), shape);
  const target = tf.tensor4d(rng.normalArray(size), shape);
  const loss = () =>
    tf.tidy(() => {
      let h: tf.Tensor4D = x;
      convs.forEach((conv, i) => {
        h = conv.apply(h);
        if (i < convs.length - 1) h = tf.leakyRelu(h, 0.2);
      });
      return tf.mean(tf.abs(tf.sub(h, target))) as tf.Scalar;
    });
  const forwardMs = timeMs(() => [loss()], repeats, warmup);
  const stepMs = timeMs(
    () => {
      const { value, grads } = tf.variableGrads(loss, adam.variables());
      adam.step(grads);
      tf.dispose(grads);
      return [value];
    },
    repeats,
    warmup,
  );
  tf.dispose([x, target]);
  adam.dispose();
  for (const conv of convs) conv.dispose();
  return { step_ms: stepMs, forward_ms: forwardMs };
}

/** Benchmarks the backend that initBackend chose (the caller initialises it). */
export async function benchKernels(options: BenchKernelsOptions): Promise<BenchRow[]> {
  const { backend, repeats } = options;
  const warmup = options.warmup ?? 3;
  const rng = new Rng(7);
  const rows: BenchRow[] = [];
  const row = (caseName: string, metric: string, value: number, unit: string) =>
    rows.push({ bench: 'kernels', backend, case: caseName, metric, value, unit });
  for (const c of CONV_CASES) {
    const r = benchConv(c, rng.fork(c.name), repeats, warmup);
    for (const [metric, value] of Object.entries(r)) row(c.name, metric, value, 'GFLOP/s');
  }
  const toy = benchToyStep(rng.fork('toy'), repeats, warmup);
  row('toy 5-conv adam step 8x64x64 32ch', 'step_ms', toy.step_ms, 'ms');
  row('toy 5-conv adam step 8x64x64 32ch', 'forward_ms', toy.forward_ms, 'ms');
  return rows;
}
