// Slice on wasm without the full copy: tfjs-backend-wasm's Slice first copies the whole input out
// of the wasm heap (readSync) and then picks rows from the copy, so every slice costs a fresh
// allocation of the input's size (the pad gradient and every crop pay it). This one moves only the
// selected runs, inside the heap, with copyWithin.
import * as tf from '@tensorflow/tfjs-core';

export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/** A view of the whole wasm heap with `t`'s element size, and `t`'s first element in it. */
export function heapElements(backend: WasmHeapBackend, t: tf.TensorInfo) {
  const buffer = backend.wasm.HEAPU8.buffer;
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
  switch (t.dtype) {
    // One 4-byte view type for both keeps the copy loops monomorphic (only bits move).
    case 'float32':
    case 'int32':
      return { heap: new Int32Array(buffer), start: offset / 4 };
    case 'bool':
      return { heap: new Uint8Array(buffer), start: offset };
    default:
      throw new Error(`wasm heap view: unsupported dtype ${t.dtype}`);
  }
}

const original = () => tf.getKernel(tf.Slice, 'wasm');

export function sliceConfig(): tf.KernelConfig {
  // Strings (not on the heap) keep tfjs' own kernel.
  const fallback = original();
  return {
    kernelName: tf.Slice,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string' || x.dtype === 'complex64') return fallback!.kernelFunc(args);
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      const heapBackend = backend as unknown as WasmHeapBackend;
      const out = heapBackend.makeOutput(extent, x.dtype);
      if (tf.util.sizeFromShape(extent) === 0) return out;
      // Views are taken after makeOutput: an allocation may grow (and replace) the heap buffer.
      const src = heapElements(heapBackend, x);
      const dst = heapElements(heapBackend, out);
      copyBox(src.heap, src.start, x.shape, start, extent, dst.start);
      return out;
    },
  };
}

/** Copies the box [start, start + extent) of a row-major array into a dense one, in one heap. */
function copyBox(
  heap: Int32Array | Uint8Array,
  srcStart: number,
  shape: number[],
  start: number[],
  extent: number[],
  dstStart: number,
) {
  const rank = shape.length;
  if (rank === 0) {
    heap[dstStart] = heap[srcStart]!;
    return;
  }
  // Trailing axes taken whole merge into one contiguous run.
  let inner = rank - 1;
  let run = extent[inner]!;
  while (inner > 0 && extent[inner] === shape[inner]) {
    inner--;
    run *= extent[inner]!;
  }
  const strides = tf.util.computeStrides(shape);
  const outer = extent.slice(0, inner);
  const base = srcStart + start.reduce((acc, s, i) => acc + s * (i < rank - 1 ? strides[i]! : 1), 0);
  const count = tf.util.sizeFromShape(outer);
  const index = new Array<number>(inner).fill(0);
  let dst = dstStart;
  for (let r = 0; r < count; r++) {
    let src = base;
    for (let i = 0; i < inner; i++) src += index[i]! * strides[i]!;
    heap.copyWithin(dst, src, src + run);
    dst += run;
    for (let i = inner - 1; i >= 0; i--) {
      if (++index[i]! < outer[i]!) break;
      index[i] = 0;
    }
  }
}
