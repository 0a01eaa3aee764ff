// Convolutions on oneDNN, in place on the wasm heap: forward (Conv2D, FusedConv2D with a bias and
// relu/leaky relu, DepthwiseConv2dNative), input gradients and filter gradients, dense and
// depthwise (oneDNN groups). NHWC only; anything else goes to the kernel registered before.
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, convGeometry, filterWindowArgs } from '../conv-gradients.js';
import { heapOffset, type WasmHeapBackend } from '../wasm-heap.js';
import type { NativeAddon } from './addon.js';
import { nativeOrFallback } from './fallback.js';

/** What a call computes, as addon.cc numbers it. */
const ConvKind = { Forward: 0, InputGrad: 1, FilterGrad: 2 } as const;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface ConvCall {
  kind: (typeof ConvKind)[keyof typeof ConvKind];
  geometry: ConvGeometry;
  outChannels: number;
  /** 1 (dense) or the input channels (depthwise). */
  groups: number;
  /** The input or input gradient, filter or filter gradient, output or output gradient. */
  x: tf.TensorInfo;
  w: tf.TensorInfo;
  y: tf.TensorInfo;
  bias?: tf.TensorInfo;
  /** 0 none, 1 relu, 2 leaky relu. */
  activation?: number;
  alpha?: number;
}

/** oneDNN convolution layouts (addon.cc's parameter 23). */
const LAYOUTS = {
  /** NHWC activations, HWIO weights. */
  plain: 0,
  /** NHWC activations, the weights in oneDNN's choice (its brgconv forward reads NHWC directly). */
  weights: 1,
  /** oneDNN's choice for every operand, with reorders in and out. */
  blocked: 2,
} as const;

/** UGP_NATIVE_LAYOUT=plain|weights|blocked runs every convolution as a oneDNN convolution in that
 *  layout (no matmul route for pointwise ones), for measurements. */
const layoutName = process.env.UGP_NATIVE_LAYOUT ?? '';
const forcedLayout: number | undefined = Object.hasOwn(LAYOUTS, layoutName)
  ? LAYOUTS[layoutName as keyof typeof LAYOUTS]
  : undefined;

/**
 * 3×3 and larger filters: every operand blocked, i.e. the jit kernels PyTorch's NCHW convolutions
 * run, whose summation order the golden training steps are checked against. (`weights` makes the
 * forward 64→64 3×3 convolutions of a restoration step 1.3–2× faster through brgconv, but moves
 * the golden synthesis and fusion iterations past their tolerances.) A 1×1 convolution on plain
 * NHWC is one matrix product and reorders only add passes.
 */
function convLayout(g: ConvGeometry): number {
  if (forcedLayout !== undefined) return forcedLayout;
  return g.filterHeight * g.filterWidth === 1 ? LAYOUTS.plain : LAYOUTS.blocked;
}

const params = new Float64Array(24);
const matMulParams = new Float64Array(10);

/** A 1×1, stride-1, unpadded dense convolution: over NHWC pixels, one matrix product. */
function isPointwise(c: ConvCall): boolean {
  const g = c.geometry;
  return (
    c.groups === 1 &&
    !c.bias &&
    !c.activation &&
    g.filterHeight === 1 &&
    g.filterWidth === 1 &&
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.outHeight === g.inHeight &&
    g.outWidth === g.inWidth
  );
}

/**
 * A pointwise convolution as oneDNN's matmul (its brgemm kernels are ~4× faster than its 1×1
 * convolution on plain NHWC at our channel counts): x [P, Ci] · w [Ci, Co] = y [P, Co]; the input
 * gradient dy · wᵀ and the filter gradient xᵀ · dy read the transposes through strides.
 */
function runPointwise(addon: NativeAddon, backend: WasmHeapBackend, c: ConvCall): string {
  const g = c.geometry;
  const pixels = g.batch * g.inHeight * g.inWidth;
  const [x, w, y] = [c.x, c.w, c.y].map((t) => heapOffset(backend, t)) as [number, number, number];
  const ci = g.inChannels;
  const co = c.outChannels;
  // [a, b, c offsets, batch a, batch b, M, K, N, transpose a, transpose b]
  if (c.kind === ConvKind.Forward) matMulParams.set([x, w, y, 1, 1, pixels, ci, co, 0, 0]);
  else if (c.kind === ConvKind.InputGrad) matMulParams.set([y, w, x, 1, 1, pixels, co, ci, 0, 1]);
  else matMulParams.set([x, y, w, 1, 1, ci, pixels, co, 1, 0]);
  return addon.matMul(backend.wasm.HEAPU8, matMulParams);
}

function runConv(addon: NativeAddon, backend: WasmHeapBackend, c: ConvCall): string {
  if (forcedLayout === undefined && isPointwise(c)) return runPointwise(addon, backend, c);
  const g = c.geometry;
  params.set([
    c.kind,
    heapOffset(backend, c.x),
    heapOffset(backend, c.w),
    heapOffset(backend, c.y),
    c.bias ? heapOffset(backend, c.bias) : -1,
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    c.outChannels,
    g.outHeight,
    g.outWidth,
    ...filterWindowArgs(g),
    c.groups,
    c.activation ?? 0,
    c.alpha ?? 0,
    convLayout(g),
  ]);
  // Read the heap after the output was made: making it may have grown (replaced) the buffer.
  return addon.conv(backend.wasm.HEAPU8, params);
}

const isFloat = (...ts: (tf.TensorInfo | undefined)[]) => ts.every((t) => !t || t.dtype === 'float32');
const isNhwc = (format: string | undefined) => format === undefined || format === 'NHWC';

function geometryOf(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: { strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
  dilations: number | [number, number] | undefined,
  depthwise: boolean,
) {
  const g = convGeometry(
    inShape,
    filterShape,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  const outChannels = depthwise ? filterShape[2]! * filterShape[3]! : filterShape[3]!;
  return { g, outChannels, groups: depthwise ? g.inChannels : 1 };
}

const empty = (shape: readonly number[]) => tf.util.sizeFromShape([...shape]) === 0;

/** Forward convolution configs: Conv2D, DepthwiseConv2dNative and FusedConv2D. */
function forwardConfig(kernelName: string, depthwise: boolean, addon: NativeAddon): tf.KernelConfig {
  return nativeOrFallback(kernelName, (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = { linear: 0, relu: 1, leakyrelu: 2 }[(attrs.activation as string) ?? 'linear'];
    if (!x || !filter || !isFloat(x, filter, bias) || !isNhwc(attrs.dataFormat)) return undefined;
    if (activation === undefined || preluActivationWeights) return undefined;
    const { g, outChannels, groups } = geometryOf(x.shape, filter.shape, attrs, attrs.dilations, depthwise);
    if (bias && tf.util.sizeFromShape(bias.shape) !== outChannels) return undefined;
    const shape = [g.batch, g.outHeight, g.outWidth, outChannels];
    if (empty(shape) || empty(x.shape)) return undefined;
    const backend = args.backend as unknown as WasmHeapBackend;
    const y = backend.makeOutput(shape, 'float32');
    return {
      output: y,
      run: () =>
        runConv(addon, backend, {
          kind: ConvKind.Forward,
          geometry: g,
          outChannels,
          groups,
          x,
          w: filter,
          y,
          bias,
          activation,
          alpha: attrs.leakyreluAlpha ?? 0.2,
        }),
    };
  });
}

/** Input-gradient configs: Conv2DBackpropInput and DepthwiseConv2dNativeBackpropInput. */
function inputGradConfig(kernelName: string, depthwise: boolean, addon: NativeAddon): tf.KernelConfig {
  return nativeOrFallback(kernelName, (args) => {
    const { dy, filter } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs & { dilations?: [number, number] };
    if (!dy || !filter || !isFloat(dy, filter) || !isNhwc(attrs.dataFormat)) return undefined;
    const { g, outChannels, groups } = geometryOf(
      attrs.inputShape,
      filter.shape,
      attrs,
      attrs.dilations,
      depthwise,
    );
    if (empty(attrs.inputShape) || empty(dy.shape)) return undefined;
    const backend = args.backend as unknown as WasmHeapBackend;
    const dx = backend.makeOutput([...attrs.inputShape], 'float32');
    return {
      output: dx,
      run: () =>
        runConv(addon, backend, {
          kind: ConvKind.InputGrad,
          geometry: g,
          outChannels,
          groups,
          x: dx,
          w: filter,
          y: dy,
        }),
    };
  });
}

/** Filter-gradient configs: Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter. */
function filterGradConfig(kernelName: string, depthwise: boolean, addon: NativeAddon): tf.KernelConfig {
  return nativeOrFallback(kernelName, (args) => {
    const { x, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: [number, number] };
    if (!x || !dy || !isFloat(x, dy) || !isNhwc(attrs.dataFormat)) return undefined;
    const { g, outChannels, groups } = geometryOf(
      x.shape,
      attrs.filterShape,
      attrs,
      attrs.dilations,
      depthwise,
    );
    if (empty(x.shape) || empty(dy.shape)) return undefined;
    const backend = args.backend as unknown as WasmHeapBackend;
    const dw = backend.makeOutput([...attrs.filterShape], 'float32');
    return {
      output: dw,
      run: () =>
        runConv(addon, backend, {
          kind: ConvKind.FilterGrad,
          geometry: g,
          outChannels,
          groups,
          x,
          w: dw,
          y: dy,
        }),
    };
  });
}

export function nativeConvConfigs(addon: NativeAddon): tf.KernelConfig[] {
  return [
    forwardConfig(tf.Conv2D, false, addon),
    forwardConfig(tf.FusedConv2D, false, addon),
    forwardConfig(tf.DepthwiseConv2dNative, true, addon),
    inputGradConfig(tf.Conv2DBackpropInput, false, addon),
    inputGradConfig(tf.DepthwiseConv2dNativeBackpropInput, true, addon),
    filterGradConfig(tf.Conv2DBackpropFilter, false, addon),
    filterGradConfig(tf.DepthwiseConv2dNativeBackpropFilter, true, addon),
  ];
}
