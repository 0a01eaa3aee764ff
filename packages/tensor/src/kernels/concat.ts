// Concat on wasm: each input lands as one strided run copy per outer index (heap-copy.ts's
// copyRuns). tfjs-backend-wasm's Concat makes a typed-array view per run in JavaScript, which
// dominates when runs are short (e.g. the gradient of a channel split, per pixel).
import * as tf from '@tensorflow/tfjs-core';
import { elementBytes } from './heap-copy.js';
import { simdKernels } from './simd-module.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';

export function concatConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Concat, 'wasm');
  return {
    kernelName: tf.Concat,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      const dtype = inputs[0]!.dtype;
      const nonEmpty = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
      if (dtype === 'string' || dtype === 'complex64' || nonEmpty.length < 2) {
        return fallback!.kernelFunc(args);
      }
      const { axis } = args.attrs as unknown as tf.ConcatAttrs;
      const concatAxis = tf.util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
      tf.backend_util.assertParamsConsistent(
        inputs.map((t) => t.shape),
        concatAxis,
      );
      const backend = args.backend as unknown as WasmHeapBackend;
      const out = backend.makeOutput(
        tf.backend_util.computeOutShape(
          inputs.map((t) => t.shape),
          concatAxis,
        ),
        dtype,
      );
      const bytes = elementBytes(dtype);
      const outer = tf.util.sizeFromShape(nonEmpty[0]!.shape.slice(0, concatAxis));
      const runs = nonEmpty.map((t) => bytes * tf.util.sizeFromShape(t.shape.slice(concatAxis)));
      const outRow = runs.reduce((a, b) => a + b, 0);
      const { copyRuns } = simdKernels(backend).exports;
      let column = heapOffset(backend, out);
      nonEmpty.forEach((t, i) => {
        copyRuns(heapOffset(backend, t), runs[i]!, column, outRow, runs[i]!, outer);
        column += runs[i]!;
      });
      return out;
    },
  };
}
