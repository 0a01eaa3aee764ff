// GPUs as nvidia-smi reports them, and whether TensorFlow 2.9.1's CUDA kernels (libtensorflow of
// tfjs-node-gpu 4.22) run on each natively or must be JIT-compiled from PTX first.
import { execFileSync } from 'node:child_process';

export interface GpuInfo {
  index: number;
  name: string;
  driver: string;
  /** "9.0"; null when this nvidia-smi cannot report it (drivers before ~510). */
  computeCapability: string | null;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
}

export interface GpuReport {
  /** nvidia-smi ran and listed the GPUs (possibly none). */
  available: boolean;
  /** Why not, when it did not. */
  reason?: string;
  gpus: GpuInfo[];
}

export type KernelSupport =
  | { kind: 'native'; note: string }
  | { kind: 'jit'; note: string; hopperOrNewer: boolean }
  | { kind: 'unsupported'; note: string }
  | { kind: 'unknown'; note: string };

const FIELDS = ['index', 'name', 'driver_version', 'compute_cap', 'memory.total', 'memory.used'];

function query(fields: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync('nvidia-smi', [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'], {
    env,
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const num = (s: string | undefined) => (s && /^\d+(\.\d+)?$/.test(s.trim()) ? Number(s.trim()) : null);

/** Runs nvidia-smi from env.PATH; older drivers without the compute_cap field are asked without it. */
export function probeGpus(env: NodeJS.ProcessEnv = process.env): GpuReport {
  let text: string;
  let withCap = true;
  try {
    text = query(FIELDS, env);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') return { available: false, reason: 'nvidia-smi is not on the PATH', gpus: [] };
    const said = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    if (/compute_cap/.test(said)) {
      try {
        text = query(
          FIELDS.filter((f) => f !== 'compute_cap'),
          env,
        );
        withCap = false;
      } catch (again) {
        return { available: false, reason: firstLine(again), gpus: [] };
      }
    } else {
      return {
        available: false,
        reason: `nvidia-smi failed: ${said.split('\n')[0] || firstLine(err)}`,
        gpus: [],
      };
    }
  }
  const gpus = text
    .split('\n')
    .filter((l) => l.trim())
    .map((line): GpuInfo => {
      const cells = line.split(',').map((c) => c.trim());
      const [index, name, driver] = cells;
      const [cap, total, used] = withCap ? cells.slice(3) : [undefined, ...cells.slice(3)];
      return {
        index: Number(index),
        name: name ?? '?',
        driver: driver ?? '?',
        computeCapability: cap && /^\d+\.\d+$/.test(cap) ? cap : null,
        memoryTotalMiB: num(total),
        memoryUsedMiB: num(used),
      };
    });
  return { available: true, gpus };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * TensorFlow's CUDA 11.2 release builds carry machine code (SASS) for sm_35, sm_50, sm_60, sm_70 and
 * sm_75 and PTX for compute_80 (TF_CUDA_COMPUTE_CAPABILITIES in its release build settings). SASS
 * runs on later minor versions of the same major; anything from 8.0 up is JIT-compiled from the
 * compute_80 PTX by the driver on first use.
 */
export function tf29KernelSupport(computeCapability: string | null): KernelSupport {
  if (!computeCapability) {
    return {
      kind: 'unknown',
      note: 'compute capability unknown (this nvidia-smi cannot report compute_cap; a driver ≥ 510 can)',
    };
  }
  const [major, minor] = computeCapability.split('.').map(Number) as [number, number];
  const cc = major * 10 + minor;
  if (cc < 35) {
    return {
      kind: 'unsupported',
      note: `compute capability ${computeCapability} is below TensorFlow 2.9's 3.5`,
    };
  }
  if (major < 8) {
    const sass = major === 3 ? 35 : major === 7 && minor >= 5 ? 75 : major * 10;
    return { kind: 'native', note: `TensorFlow 2.9 ships kernels for it (sm_${sass})` };
  }
  const hopperOrNewer = major >= 9;
  return {
    kind: 'jit',
    hopperOrNewer,
    note: hopperOrNewer
      ? `TensorFlow 2.9 has no kernels for compute capability ${computeCapability}: every CUDA kernel is JIT-compiled from compute_80 PTX on first use, which TensorFlow warns "could take 30 minutes or longer", and H100 runs have failed after it (tensorflow/tensorflow#60739)`
      : `TensorFlow 2.9 has no machine code for compute capability ${computeCapability}: its CUDA kernels are JIT-compiled from compute_80 PTX on first use (a slow first start; the driver caches the result)`,
  };
}
