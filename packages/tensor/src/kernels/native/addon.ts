// The optional oneDNN addon (packages/tensor/native): whether it was built at install time, whether
// it loaded, and the calls our kernels make into it. UGP_NATIVE=0 keeps it unloaded.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exports (native/src/addon.cc); each kernel call returns oneDNN's implementation name. */
export interface NativeAddon {
  /** (wasm heap, conv parameters as laid out in addon.cc) */
  conv(heap: Uint8Array, params: Float64Array): string;
  /** (wasm heap, matmul parameters as laid out in addon.cc) */
  matMul(heap: Uint8Array, params: Float64Array): string;
  /** (wasm heap, [x offset, y offset, count, alpha]) */
  leakyRelu(heap: Uint8Array, params: Float64Array): string;
  /** (wasm heap, [op, a, b, y offsets, rank, dims ×4, a strides ×4, b strides ×4]) */
  binary(heap: Uint8Array, params: Float64Array): void;
  /** (wasm heap, [op, x offset, y offset, count, alpha]) */
  unary(heap: Uint8Array, params: Float64Array): void;
  /** (wasm heap, [x offset, y offset, outer, reduced, inner, divisor]) */
  reduceSum(heap: Uint8Array, params: Float64Array): void;
  /** (wasm heap, [param, grad, exp_avg, exp_avg_sq, param', exp_avg', exp_avg_sq' offsets, count,
   *  beta1, 1 − beta1, beta2, 1 − beta2, sqrt(bias correction 2), eps, step size]) */
  adam(heap: Uint8Array, params: Float64Array): void;
  setThreads(threads: number): void;
  version(): string;
  clearCache(): void;
}

export interface NativeKernelStatus {
  /** The addon file exists (it is built at npm install when libdnnl-dev's headers are present). */
  built: boolean;
  /** It loaded and its kernels are registered on the wasm backend. */
  loaded: boolean;
  /** Why it is not in use, when it is not. */
  reason?: string;
  /** oneDNN's thread count, once loaded. */
  threads?: number;
  /** oneDNN's version, once loaded. */
  version?: string;
}

// Two levels up from src/kernels/native or dist/kernels/native, then the package's native/ folder.
export const NATIVE_ADDON_PATH = fileURLToPath(
  new URL('../../../native/build/ugp_native.node', import.meta.url),
);

const NOT_BUILT =
  'the oneDNN addon is not built (apt-get install -y libdnnl-dev, then npm rebuild @ugpnet/tensor)';

let addon: NativeAddon | undefined;
let status: NativeKernelStatus | undefined;

/** Loads the addon once; returns undefined (and records why) when it is off, missing or broken. */
export function loadNativeAddon(): NativeAddon | undefined {
  if (status) return addon;
  const built = existsSync(NATIVE_ADDON_PATH);
  if (process.env.UGP_NATIVE === '0') {
    status = { built, loaded: false, reason: 'UGP_NATIVE=0' };
  } else if (!built) {
    status = { built, loaded: false, reason: NOT_BUILT };
  } else {
    // Between the thousands of short kernels of a step, idle OpenMP threads spin briefly (~0.1 ms)
    // rather than sleep: waking a sleeping one costs more than most elementwise kernels take.
    // (Unbounded spinning would take the cores wasm's own threads need.)
    process.env.OMP_WAIT_POLICY ??= 'ACTIVE';
    process.env.GOMP_SPINCOUNT ??= '200000';
    try {
      addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
      status = { built, loaded: true, version: addon.version() };
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      status = { built, loaded: false, reason: `the oneDNN addon failed to load: ${message}` };
    }
  }
  return addon;
}

/** Sets oneDNN's thread count (the process's --threads). */
export function setNativeThreads(threads: number): void {
  const native = loadNativeAddon();
  if (!native || !status) return;
  native.setThreads(threads);
  status.threads = threads;
}

/** Whether the native kernels are built, loaded, and if not why; for `ugp doctor` and the backend line. */
export function nativeKernelStatus(): NativeKernelStatus {
  loadNativeAddon();
  return { ...status! };
}

/** The backend line's words for it. */
export function describeNativeKernels(): string {
  const s = nativeKernelStatus();
  return s.loaded
    ? `oneDNN ${s.version} kernels (${s.threads ?? '?'} thread${s.threads === 1 ? '' : 's'})`
    : `no native kernels: ${s.reason}`;
}
