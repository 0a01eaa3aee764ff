// Transpose on wasm, blocked for the cache. tfjs-backend-wasm's own transpose walks the output with
// a stride of a whole row per element (a TLB miss each for large tensors: ~15 ns per element) and
// has a per-element allocating path above rank 4. The convolution gradients transpose activations
// ([N, H, W, C] → [C, H, W, N]) on every step, so this matters. Works in the wasm heap in place of
// the C++ loop: runs that stay contiguous are moved with copyWithin, the rest in 32×32 tiles.
import * as tf from '@tensorflow/tfjs-core';
import { heapElements, type WasmHeapBackend } from './wasm-heap.js';

const TILE = 32;

/** Drops size-1 axes and merges axes that stay neighbours, so most transposes become rank 2–3. */
export function simplifyTranspose(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const keep = perm.filter((axis) => shape[axis] !== 1);
  // Groups of input axes that appear consecutively (and in order) in the output.
  const groups: number[][] = [];
  for (const axis of keep) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] === axis - 1) last.push(axis);
    else groups.push([axis]);
  }
  const byInputOrder = [...groups].sort((a, b) => a[0]! - b[0]!);
  const newShape = byInputOrder.map((g) => g.reduce((n, axis) => n * shape[axis]!, 1));
  const newPerm = groups.map((g) => byInputOrder.indexOf(g));
  return { shape: newShape, perm: newPerm };
}

export function transposeConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Transpose, 'wasm');
  return {
    kernelName: tf.Transpose,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string' || x.dtype === 'complex64') return fallback!.kernelFunc(args);
      const { perm } = attrs as unknown as tf.TransposeAttrs;
      const outShape = perm.map((axis) => x.shape[axis]!);
      const heapBackend = backend as unknown as WasmHeapBackend;
      const out = heapBackend.makeOutput(outShape, x.dtype);
      const size = tf.util.sizeFromShape(x.shape);
      if (size === 0) return out;
      const src = heapElements(heapBackend, x);
      const dst = heapElements(heapBackend, out);
      const s = simplifyTranspose(x.shape, perm);
      transposeInHeap(src.heap, src.start, s.shape, s.perm, dst.start);
      return out;
    },
  };
}

function transposeInHeap(
  heap: Int32Array | Uint8Array,
  srcStart: number,
  shape: number[],
  perm: number[],
  dstStart: number,
) {
  const rank = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (rank <= 1) {
    heap.copyWithin(dstStart, srcStart, srcStart + size);
    return;
  }
  const inStrides = stridesOf(shape);
  const outShape = perm.map((a) => shape[a]!);
  const outStrides = stridesOf(outShape);
  // Output stride of each input axis.
  const outStrideOf = new Array<number>(rank);
  perm.forEach((axis, i) => {
    outStrideOf[axis] = outStrides[i]!;
  });
  const last = rank - 1;
  if (perm[last] === last) {
    copyRuns(heap, srcStart, shape, perm, inStrides, dstStart);
    return;
  }
  // Tile the input's last axis against the axis that becomes the output's last (each is the
  // unit-stride axis on one side).
  const rowAxis = perm[rank - 1]!;
  const others = [...Array(rank).keys()].filter((a) => a !== last && a !== rowAxis);
  const rows = shape[rowAxis]!;
  const cols = shape[last]!;
  const rowIn = inStrides[rowAxis]!;
  const colOut = outStrideOf[last]!;
  const count = others.reduce((n, a) => n * shape[a]!, 1);
  const index = new Array<number>(others.length).fill(0);
  for (let r = 0; r < count; r++) {
    let inBase = srcStart;
    let outBase = dstStart;
    for (let i = 0; i < others.length; i++) {
      inBase += index[i]! * inStrides[others[i]!]!;
      outBase += index[i]! * outStrideOf[others[i]!]!;
    }
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(rows, i0 + TILE);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(cols, j0 + TILE);
        for (let j = j0; j < j1; j++) {
          let o = outBase + j * colOut + i0;
          let s = inBase + i0 * rowIn + j;
          for (let i = i0; i < i1; i++) {
            heap[o++] = heap[s]!;
            s += rowIn;
          }
        }
      }
    }
    for (let i = others.length - 1; i >= 0; i--) {
      if (++index[i]! < shape[others[i]!]!) break;
      index[i] = 0;
    }
  }
}

/** The last axis stays last: move whole runs, walking the output in order. */
function copyRuns(
  heap: Int32Array | Uint8Array,
  srcStart: number,
  shape: number[],
  perm: number[],
  inStrides: number[],
  dstStart: number,
) {
  const rank = shape.length;
  const run = shape[rank - 1]!;
  const outer = perm.slice(0, rank - 1);
  const count = outer.reduce((n, a) => n * shape[a]!, 1);
  const index = new Array<number>(outer.length).fill(0);
  let dst = dstStart;
  for (let r = 0; r < count; r++) {
    let src = srcStart;
    for (let i = 0; i < outer.length; i++) src += index[i]! * inStrides[outer[i]!]!;
    heap.copyWithin(dst, src, src + run);
    dst += run;
    for (let i = outer.length - 1; i >= 0; i--) {
      if (++index[i]! < shape[outer[i]!]!) break;
      index[i] = 0;
    }
  }
}

function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}
