// Compute backend selection: node-gpu → node → wasm → cpu, overridable by flag or UGP_BACKEND.
// Only this package picks backends; everything else depends on tfjs-core alone.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone has no gradient functions; the full tfjs bundle registers them (its
// Node build is CommonJS on the same tfjs-core; tfjs-core's own ESM gradient files
// cannot be loaded by plain Node because their imports lack extensions).
import '@tensorflow/tfjs';
import { UserError } from '@ugpnet/core';
import type { WasmHeapBackend } from './kernels/wasm-heap.js';

export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** Our name for the backend (node-gpu, node, wasm, cpu). */
  name: BackendName;
  /** tfjs' registered backend name (tensorflow, wasm, cpu). */
  tfName: string;
  /** Threads the backend computes with. */
  threads: number;
  /** Why this backend was chosen, for the log line and for run records. */
  reason: string;
  /** On wasm: the native (oneDNN) kernels in use, or why there are none. */
  native?: string;
}

export class BackendUnavailableError extends UserError {
  constructor(
    readonly backend: BackendName,
    why: string,
  ) {
    super(`backend '${backend}' is not available: ${why}`);
    this.name = 'BackendUnavailableError';
  }
}

const require = createRequire(import.meta.url);
let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** The backend chosen by initBackend, or undefined before it ran. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}

export function parseBackendName(value: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new UserError(`${source}: unknown backend '${value}' (expected one of ${BACKEND_NAMES.join(', ')})`);
}

function describeLoadFailure(pkg: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)/.test(message) && message.includes(pkg)) {
    return `${pkg} is not installed (it is an optional dependency; its install downloads libtensorflow)`;
  }
  return `${pkg} is installed but failed to load libtensorflow: ${message.split('\n')[0]}`;
}

/**
 * Where npm kept the package but its install script could not download libtensorflow, the
 * native binding is missing; requiring it anyway half-registers kernels (and a second
 * package then re-registers them noisily), so look for the binding first.
 */
function missingBinding(pkg: string): string | undefined {
  let root: string;
  try {
    root = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined; // not installed: require() below reports it
  }
  const lib = join(root, 'lib');
  const hasBinding =
    existsSync(lib) &&
    readdirSync(lib).some(
      (dir) => dir.startsWith('napi-v') && existsSync(join(lib, dir, 'tfjs_binding.node')),
    );
  return hasBinding
    ? undefined
    : `${pkg} is installed but its native binding is missing (the libtensorflow download failed at install time)`;
}

async function tryNode(
  pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu',
): Promise<string | undefined> {
  const missing = missingBinding(pkg);
  if (missing) return missing;
  try {
    // Loading the package registers the 'tensorflow' backend as a side effect.
    require(pkg);
  } catch (err) {
    return describeLoadFailure(pkg, err);
  }
  const ok = await tf.setBackend('tensorflow');
  if (!ok) return `${pkg} loaded but tf.setBackend('tensorflow') failed`;
  // tfjs-node lacks Transform (the synthesis augmentation's tf.image.transform): ours, from Gather.
  const { transformGatherConfig } = await import('./kernels/transform-gather.js');
  if (!tf.getKernel(tf.Transform, 'tensorflow')) tf.registerKernel(transformGatherConfig('tensorflow'));
  // Without its CUDA libraries or a GPU, libtensorflow quietly computes on the CPU instead.
  if (
    pkg === '@tensorflow/tfjs-node-gpu' &&
    !(tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice
  ) {
    return `${pkg} loaded but TensorFlow registered no GPU (it would compute on the CPU; ugp doctor says why)`;
  }
  return undefined;
}

/** For a refused node/node-gpu: the doctor's findings for that path, one per line with its next step. */
async function nodeDiagnosis(name: 'node' | 'node-gpu'): Promise<string> {
  const { diagnoseGpuPath, formatFinding } = await import('./doctor/report.js');
  const topics = name === 'node-gpu' ? ['node-gpu', 'cuda', 'gpu'] : ['node'];
  const lines = diagnoseGpuPath()
    .findings.filter((f) => topics.includes(f.topic) && (f.level === 'fail' || f.level === 'warn'))
    .map((f) => `\n  ${formatFinding(f)}`);
  return lines.join('');
}

/**
 * UGP_THREADS, else the CPUs this process may use: availableParallelism() follows the CPU affinity
 * mask, and a Slurm task is also capped at the SLURM_CPUS_PER_TASK it was given (task/none sets no mask).
 */
export function defaultThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.UGP_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const cpus = Math.max(1, availableParallelism());
  const slurm = Number(env.SLURM_CPUS_PER_TASK);
  return Number.isInteger(slurm) && slurm > 0 ? Math.min(slurm, cpus) : cpus;
}

/** Directory holding tfjs-backend-wasm's .wasm binaries, which Node must be pointed at. */
export function wasmBinaryDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** XNNPACK's thread pool size, as the wasm backend reports it once initialised. */
let wasmThreadsCount: number | undefined;
/** On wasm: describeNativeKernels() once the kernels were registered. */
let wasmNative: string | undefined;

async function tryWasm(threads: number): Promise<string | undefined> {
  const { guardWasmHeap, wasmHeapLimit } = await import('./heap-guard.js');
  const heapLimit = wasmHeapLimit();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmBinaryDir());
  wasm.setThreadsCount(threads);
  // Everything below that reaches into tfjs-backend-wasm's internals runs on the pinned release only.
  const { wasmExtensionsSupported } = await import('./kernels/wasm-version.js');
  if (!wasmExtensionsSupported()) {
    try {
      if (!(await tf.setBackend('wasm'))) return 'tf.setBackend("wasm") returned false';
    } catch (err) {
      return `the wasm binary failed to load: ${err instanceof Error ? err.message : String(err)}`;
    }
    wasmThreadsCount = wasm.getThreadsCount();
    return undefined;
  }
  const { registerWasmKernels } = await import('./kernels/index.js');
  registerWasmKernels();
  // oneDNN in front of the convolutions and matrix products when the optional addon is built.
  const { registerNativeKernels, describeNativeKernels } = await import('./kernels/native/index.js');
  registerNativeKernels(threads);
  wasmNative = describeNativeKernels();
  // tfjs runs its threaded build only in browsers; this makes it start under Node too.
  const { prepareWasmThreads } = await import('./kernels/wasm-threads.js');
  const restore = prepareWasmThreads(threads);
  try {
    const ok = await tf.setBackend('wasm');
    if (!ok) return 'tf.setBackend("wasm") returned false';
    wasmThreadsCount = wasm.getThreadsCount();
    // Tensor allocations that do not fit the 4 GiB wasm heap become a user error, not an abort.
    guardWasmHeap(heapLimit);
    const { startSimdThreads } = await import('./kernels/simd-module.js');
    // Only a speed-up: without helper threads our SIMD kernels run on the calling thread.
    await startSimdThreads(tf.backend() as unknown as WasmHeapBackend, wasmThreadsCount).catch((err) =>
      process.emitWarning(
        `filter-gradient threads did not start: ${err instanceof Error ? err.message : err}`,
      ),
    );
    return undefined;
  } catch (err) {
    return `the wasm binary failed to load: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    restore();
  }
}

async function tryCpu(): Promise<string | undefined> {
  await import('@tensorflow/tfjs-backend-cpu');
  return (await tf.setBackend('cpu')) ? undefined : 'tf.setBackend("cpu") returned false';
}

async function tryBackend(name: BackendName, threads: number): Promise<string | undefined> {
  switch (name) {
    case 'node-gpu':
      return tryNode('@tensorflow/tfjs-node-gpu');
    case 'node':
      return tryNode('@tensorflow/tfjs-node');
    case 'wasm':
      return tryWasm(threads);
    case 'cpu':
      return tryCpu();
  }
}

function nativeOf(name: BackendName): { native?: string } {
  return name === 'wasm' && wasmNative ? { native: wasmNative } : {};
}

function threadsOf(name: BackendName, requested: number): number {
  if (name === 'wasm') return wasmThreadsCount ?? 1;
  if (name === 'cpu') return 1;
  return requested;
}

export interface InitBackendOptions {
  /** Explicit choice (the --backend flag); falls back to UGP_BACKEND, then auto. */
  backend?: BackendName | 'auto';
  threads?: number;
  /** Where the one-line "using backend" message goes; pass null to stay silent. */
  log?: ((line: string) => void) | null;
}

/**
 * Picks and initialises the compute backend once per process. Later calls return the
 * same choice; asking for a different one after that is an error.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const envChoice = process.env.UGP_BACKEND;
  const requested: BackendName | 'auto' =
    options.backend ??
    (envChoice && envChoice !== 'auto' ? parseBackendName(envChoice, 'UGP_BACKEND') : 'auto');
  if (pending) {
    return pending.then((info) => {
      if (requested !== 'auto' && requested !== info.name) {
        throw new Error(`backend already initialised as '${info.name}'; cannot switch to '${requested}'`);
      }
      return info;
    });
  }
  pending = selectBackend(requested, options).then(
    (info) => {
      active = info;
      const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
      log?.(
        `[ugp] backend ${info.name} (${info.threads} thread${info.threads === 1 ? '' : 's'}): ${info.reason}` +
          (info.native ? `; ${info.native}` : ''),
      );
      return info;
    },
    (err) => {
      pending = undefined;
      throw err;
    },
  );
  return pending;
}

/**
 * tfjs' cpu backend advertises tfjs-node on its first tensor in Node; our one backend line already
 * says what runs and why (and tests use cpu as a reference next to wasm).
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

async function selectBackend(
  requested: BackendName | 'auto',
  options: InitBackendOptions,
): Promise<BackendInfo> {
  const threads = options.threads ?? defaultThreadCount();
  // Gradients tfjs lacks (or gets wrong) for every backend: see kernels/gradients.ts.
  const { registerGradients } = await import('./kernels/gradients.js');
  registerGradients();
  silenceCpuBanner();
  if (requested !== 'auto') {
    const failure = await tryBackend(requested, threads);
    if (failure) {
      const diagnosis =
        requested === 'node' || requested === 'node-gpu' ? await nodeDiagnosis(requested) : '';
      throw new BackendUnavailableError(requested, failure + diagnosis);
    }
    return {
      name: requested,
      tfName: tf.getBackend(),
      threads: threadsOf(requested, threads),
      reason: 'requested',
      ...nativeOf(requested),
    };
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const failure = await tryBackend(name, threads);
    if (!failure) {
      const reason = skipped.length ? `auto; skipped ${skipped.join('; ')}` : 'auto; first choice';
      return { name, tfName: tf.getBackend(), threads: threadsOf(name, threads), reason, ...nativeOf(name) };
    }
    skipped.push(`${name}: ${failure}`);
  }
  throw new Error(`no compute backend could be initialised:\n  ${skipped.join('\n  ')}`);
}
