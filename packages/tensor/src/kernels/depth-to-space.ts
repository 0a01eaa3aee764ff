// DepthToSpace (PixelShuffle) on wasm as a reshape and one transpose that moves whole runs; the
// wasm kernel indexes element by element (~40× slower than the run copy on 8×128×128×32).
import * as tf from '@tensorflow/tfjs-core';
import { wasmOpsKernel } from './ops-kernel.js';

export const depthToSpaceConfig = wasmOpsKernel(tf.DepthToSpace, ({ x }, attrs) => {
  const { blockSize: b, dataFormat } = attrs as unknown as tf.DepthToSpaceAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`DepthToSpace on wasm supports NHWC only, got ${dataFormat}`);
  const [n, h, w, c] = x!.shape;
  const depth = c! / (b * b);
  const blocks = tf.reshape(x!, [n!, h!, w!, b, b, depth]);
  return tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [n!, h! * b, w! * b, depth]);
});
