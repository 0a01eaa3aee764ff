// The CPU paths' facts: the wasm backend's threads and heap, and the optional oneDNN kernels.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultThreadCount, wasmBinaryDir } from '../backend.js';

export interface NativeStatus {
  built: boolean;
  loaded: boolean;
  reason?: string;
  threads?: number;
  version?: string;
}

export interface CpuReport {
  cpuModel: string;
  cpus: number;
  /** Threads a run would use (UGP_THREADS, else the CPUs this process may use). */
  defaultThreads: number;
  memoryBytes: number;
  native: NativeStatus;
  /** tfjs-backend-wasm's memory maximum, read from its Emscripten glue (4 GiB in 4.22). */
  wasmHeapLimitBytes: number | null;
}

// The native helper's module; imported by name at run time so doctor also works on a tree without it.
const NATIVE_MODULE = '../kernels/native/index.js';
const ADDON_FILE = fileURLToPath(new URL('../../native/build/ugp_native.node', import.meta.url));

export async function nativeStatus(): Promise<NativeStatus> {
  try {
    const mod = (await import(/* @vite-ignore */ NATIVE_MODULE)) as {
      nativeKernelStatus?: () => NativeStatus;
    };
    if (mod.nativeKernelStatus) return mod.nativeKernelStatus();
  } catch {
    // no native kernel module in this build: look for the addon file ourselves
  }
  const built = existsSync(ADDON_FILE);
  return {
    built,
    loaded: false,
    reason: built
      ? `the oneDNN addon is built (${ADDON_FILE}) but this build of @ugpnet/tensor does not register native kernels`
      : 'the oneDNN addon is not built (apt-get install -y libdnnl-dev, then npm rebuild @ugpnet/tensor)',
  };
}

/** The `"maximum": N / 65536` of the wasm memory tfjs-backend-wasm's Node bundle creates. */
export function wasmHeapLimit(): number | null {
  try {
    const glue = readFileSync(join(wasmBinaryDir(), 'tf-backend-wasm.node.js'), 'utf8');
    const m = /"maximum":\s*(\d+)\s*\/\s*65536/.exec(glue);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function probeCpu(): Promise<CpuReport> {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    defaultThreads: defaultThreadCount(),
    memoryBytes: totalmem(),
    native: await nativeStatus(),
    wasmHeapLimitBytes: wasmHeapLimit(),
  };
}
