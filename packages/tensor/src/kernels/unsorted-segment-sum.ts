// UnsortedSegmentSum on wasm (missing there; tf.gather's gradient needs it): a ScatterNd, which adds
// duplicate indices.
import * as tf from '@tensorflow/tfjs-core';
import { wasmOpsKernel } from './ops-kernel.js';

export const unsortedSegmentSumConfig = wasmOpsKernel(tf.UnsortedSegmentSum, ({ x, segmentIds }, attrs) => {
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const ids = segmentIds!.shape.length;
  const count = tf.util.sizeFromShape(segmentIds!.shape);
  const rest = x!.shape.slice(ids);
  const updates = tf.reshape(x!, [count, ...rest]);
  const indices = tf.reshape(tf.cast(segmentIds!, 'int32'), [count, 1]);
  return tf.scatterND(indices, updates, [numSegments, ...rest]);
});
