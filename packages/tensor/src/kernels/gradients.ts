// Gradient functions tfjs lacks, gets wrong, or computes slowly; registered for every backend.
//  - DepthToSpace (PixelShuffle) has none: its gradient is SpaceToDepth.
//  - Cumsum's transposes its result for axes other than the last (a shape error; NAFNet's local
//    average pool takes cumsums along H and W).
//  - Comparisons and logical ops have none, so anything computed from x through tf.where(x > 0, …)
//    is not differentiable; like TensorFlow, they pass no gradient.
//  - Conv2D refuses dilation > 1; dilated convs use the forward-conv formulations here.
//  - LeakyRelu's goes through Greater and Select (slow element loops on wasm); dy·step(x, α) is the
//    same value from two fast ops.
//  - Sum's and Mean's build a tensor of ones as large as x in JavaScript and upload it, per call
//    (1 ms for a layer norm's channel mean at 8×64×64×8); a Fill kernel makes it on the backend.
//  - DepthwiseConv2dNativeBackpropInput has none; the R1 penalty's double backprop needs it
//    (second-order-gradients.ts).
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad, conv2dInputGrad, convGeometry } from './conv-gradients.js';
import { depthwiseBackpropInputGrad } from './second-order-gradients.js';

const depthToSpaceGrad: tf.GradConfig = {
  kernelName: tf.DepthToSpace,
  gradFunc: (dy, _saved, attrs) => {
    const { blockSize: b, dataFormat } = attrs as unknown as tf.DepthToSpaceAttrs;
    return {
      x: () => {
        const t = dy as tf.Tensor4D;
        if (dataFormat !== 'NHWC')
          throw new Error(`DepthToSpace gradient supports NHWC only, got ${dataFormat}`);
        const [n, h, w, c] = t.shape;
        const blocks = tf.reshape(t, [n, h / b, b, w / b, b, c]);
        return tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [n, h / b, w / b, b * b * c]);
      },
    };
  },
};

const cumsumGrad: tf.GradConfig = {
  kernelName: tf.Cumsum,
  gradFunc: (dy, _saved, attrs) => {
    const { axis, exclusive, reverse } = attrs as unknown as tf.CumsumAttrs;
    return { x: () => tf.cumsum(dy as tf.Tensor, axis, exclusive, !reverse) };
  },
};

const leakyReluGrad: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    return { x: () => tf.mul(dy as tf.Tensor, tf.step(x!, alpha)) };
  },
};

/** dy spread back over the reduced axes of x (÷ their size for a mean), as tfjs computes it but with ones from Fill. */
function spreadOverReduced(dy: tf.Tensor, x: tf.Tensor, axis: number | number[], mean: boolean): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const expanded = tf.reshape(
    dy,
    x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
  // tfjs: (dy·1)/n; ·1 is exact, so (dy/n)·1 is the same value with the division on the small tensor.
  const scaled = mean
    ? tf.div(
        expanded,
        axes.reduce((n, a) => n * x.shape[a]!, 1),
      )
    : expanded;
  return tf.mul(scaled, tf.fill(x.shape, 1));
}

const sumGrad: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const { axis } = attrs as unknown as tf.SumAttrs;
    return { x: () => spreadOverReduced(dy as tf.Tensor, saved[0]!, axis, false) };
  },
};

const meanGrad: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const { axis } = attrs as unknown as tf.MeanAttrs;
    return { x: () => spreadOverReduced(dy as tf.Tensor, saved[0]!, axis, true) };
  },
};

const conv2dGrad: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs as unknown as tf.Conv2DAttrs;
    const dilated = (typeof dilations === 'number' ? [dilations] : dilations).some((d) => d !== 1);
    if (dilated) {
      if (dataFormat !== 'NHWC') throw new Error('gradient of a dilated conv2d: NHWC only');
      const g = convGeometry(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false);
      return {
        x: () => conv2dInputGrad(dy as tf.Tensor4D, filter, g),
        filter: () => conv2dFilterGrad(x, dy as tf.Tensor4D, g),
      };
    }
    const common = { strides, pad, dataFormat, dimRoundingMode } as unknown as tf.NamedAttrMap;
    return {
      x: () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropInput,
            { dy: dy as tf.Tensor, filter },
            { ...common, inputShape: x.shape },
          ) as tf.Tensor,
      filter: () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x, dy: dy as tf.Tensor },
            { ...common, filterShape: filter.shape },
          ) as tf.Tensor,
    };
  },
};

/** Ops whose outputs are booleans: no gradient flows through them. */
const NON_DIFFERENTIABLE: [string, string[]][] = [
  [tf.Greater, ['a', 'b']],
  [tf.GreaterEqual, ['a', 'b']],
  [tf.Less, ['a', 'b']],
  [tf.LessEqual, ['a', 'b']],
  [tf.Equal, ['a', 'b']],
  [tf.NotEqual, ['a', 'b']],
  [tf.LogicalAnd, ['a', 'b']],
  [tf.LogicalOr, ['a', 'b']],
  [tf.LogicalXor, ['a', 'b']],
  [tf.LogicalNot, ['x']],
  [tf.IsNan, ['x']],
  [tf.IsInf, ['x']],
  [tf.IsFinite, ['x']],
];

function zeroGrad(kernelName: string, inputs: string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(saved[i]!)])),
  };
}

/** Registered always, replacing tfjs' versions. */
export const GRADIENT_OVERRIDES: tf.GradConfig[] = [cumsumGrad, leakyReluGrad, conv2dGrad, sumGrad, meanGrad];

/** Registered only where tfjs has none (a later tfjs may bring its own). */
export const GRADIENT_FILL_INS: tf.GradConfig[] = [
  depthToSpaceGrad,
  depthwiseBackpropInputGrad,
  ...NON_DIFFERENTIABLE.map(([name, inputs]) => zeroGrad(name, inputs)),
];

let registered = false;

export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of GRADIENT_OVERRIDES) tf.registerGradient(config);
  for (const config of GRADIENT_FILL_INS) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
