// `ugp doctor`: which backend runs and why, what stands between this machine and the GPU path
// (tfjs-node-gpu 4.22 = libtensorflow 2.9.1 = CUDA 11.2 + cuDNN 8.1), the CPU paths' facts, kernel
// coverage of our training steps, and a timed 3×3 convolution. Every failure says what to do next.
import { type BackendName, initBackend } from '../backend.js';
import { type ConvTiming, timeConvolutions } from './conv-timing.js';
import { type CpuReport, probeCpu } from './cpu.js';
import { type CudaLibraryReport, cudaMajorOf, probeCudaLibraries } from './cuda-libraries.js';
import { type GpuReport, type KernelSupport, probeGpus, tf29KernelSupport } from './gpus.js';
import {
  type KernelCoverage,
  kernelCoverage,
  TENSORFLOW_FALLBACK_KERNELS,
  tfjsNodeKernels,
  trainingKernels,
} from './kernel-coverage.js';
import { type NodePackage, type NodePackageReport, probeNodePackage } from './node-packages.js';

export type FindingLevel = 'ok' | 'info' | 'warn' | 'fail';

export interface Finding {
  level: FindingLevel;
  /** What it is about: node-gpu, node, cuda, gpu, wasm, kernels, backend. */
  topic: string;
  text: string;
  /** The concrete next step (every warn/fail has one). */
  next?: string;
}

export interface DoctorOptions {
  /** Environment of the probes: PATH (nvidia-smi), LD_LIBRARY_PATH (CUDA libraries). */
  env?: NodeJS.ProcessEnv;
  /** The backend to initialise (as --backend); default auto. */
  requested?: BackendName | 'auto';
  /** Folder tfjs-node(-gpu) are resolved from (default: @ugpnet/tensor's). */
  resolveFrom?: string;
  /** `ldconfig -p` output to use instead of running it. */
  ldconfigCache?: string;
  /** Initialise a backend and time convolutions on it (default true). */
  initBackend?: boolean;
  /** Progress lines (the JIT warning before a convolution that may take long). */
  log?: (line: string) => void;
}

export interface GpuPathReport {
  packages: Record<'node-gpu' | 'node', NodePackageReport>;
  cuda: CudaLibraryReport;
  gpus: GpuReport & { support: KernelSupport[] };
  findings: Finding[];
}

export interface DoctorReport extends GpuPathReport {
  requested: BackendName | 'auto';
  chosen: { name: BackendName; tfBackend: string; threads: number; reason: string; native?: string } | null;
  /** Why the requested backend could not be used, when it could not. */
  refused?: string;
  cpu: CpuReport;
  /** Coverage of our training steps' kernels: on the chosen backend, and on tfjs-node's. */
  kernels: Array<{ backend: string } & KernelCoverage>;
  conv: ConvTiming | null;
}

const PKG: Record<'node-gpu' | 'node', NodePackage> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

const README = "the README's 'Running on GPUs'";
const CUDA11_ROUTE =
  'install the CUDA 11 libraries beside the newer ones, e.g. `conda install -c conda-forge cudatoolkit=11.2 cudnn=8.1.0` and `export LD_LIBRARY_PATH=$CONDA_PREFIX/lib:$LD_LIBRARY_PATH` (' +
  README +
  ')';

function libraryFindings(cuda: CudaLibraryReport, driverSeen: boolean): Finding[] {
  const out: Finding[] = [];
  const missing = cuda.libraries.filter((l) => !l.path);
  const driver = cuda.libraries.find((l) => l.soname === 'libcuda.so.1')!;
  if (!driver.path && !driverSeen) {
    out.push({
      level: 'fail',
      topic: 'cuda',
      text: `no NVIDIA driver library (libcuda.so.1) in LD_LIBRARY_PATH, the ldconfig cache or ${cuda.searchDirs.length ? 'the standard folders' : 'any standard folder'}; CUDA 11 libraries missing too: ${missing
        .filter((l) => l !== driver)
        .map((l) => l.soname)
        .join(', ')}`,
      next:
        'run on a machine with an NVIDIA GPU and its driver (≥ 450.80.02), then add CUDA 11.2 + cuDNN 8.1 (' +
        README +
        ')',
    });
    // Still name each library found in a version libtensorflow 2.9.1 cannot use.
    for (const lib of missing)
      if (lib.otherVersions.length) out.push(wrongVersion(lib.soname, lib.what, lib.otherVersions));
    return out;
  }
  for (const lib of cuda.libraries) {
    if (lib.path) {
      out.push({ level: 'ok', topic: 'cuda', text: `${lib.soname} (${lib.what}): ${lib.path}` });
    } else if (lib.otherVersions.length) {
      out.push(wrongVersion(lib.soname, lib.what, lib.otherVersions));
    } else if (lib.soname === 'libcuda.so.1') {
      out.push({
        level: 'fail',
        topic: 'cuda',
        text: 'libcuda.so.1 (the NVIDIA driver) not found by the loader',
        next: 'install the NVIDIA driver (≥ 450.80.02); in a container start it with the NVIDIA Container Toolkit (--gpus all)',
      });
    } else {
      out.push({
        level: 'fail',
        topic: 'cuda',
        text: `${lib.soname} (${lib.what}) not found in LD_LIBRARY_PATH, the ldconfig cache or the standard folders`,
        next: CUDA11_ROUTE,
      });
    }
  }
  return out;
}

function wrongVersion(soname: string, what: string, others: string[]): Finding {
  const majors = [...new Set(others.map(cudaMajorOf).filter(Boolean))];
  return {
    level: 'fail',
    topic: 'cuda',
    text: `${soname} (${what}) is missing; found ${others.join(', ')} (version ${majors.join('/')}), which libtensorflow 2.9.1 cannot load`,
    next: `${CUDA11_ROUTE}; renaming or symlinking the newer library to ${soname} is not supported`,
  };
}

function gpuFindings(gpus: GpuReport, support: KernelSupport[]): Finding[] {
  if (!gpus.available) {
    return [
      {
        level: 'fail',
        topic: 'gpu',
        text: `no GPU visible: ${gpus.reason}`,
        next: 'on a GPU machine install the NVIDIA driver (it brings nvidia-smi); in a container add --gpus all',
      },
    ];
  }
  if (gpus.gpus.length === 0) {
    return [
      {
        level: 'fail',
        topic: 'gpu',
        text: 'nvidia-smi lists no GPU',
        next: 'check CUDA_VISIBLE_DEVICES and the driver (nvidia-smi -L)',
      },
    ];
  }
  const out: Finding[] = [];
  gpus.gpus.forEach((g, i) => {
    const mem = g.memoryTotalMiB === null ? '' : `, ${g.memoryTotalMiB} MiB (${g.memoryUsedMiB ?? '?'} used)`;
    const cc = g.computeCapability
      ? `compute capability ${g.computeCapability}`
      : 'compute capability unknown';
    out.push({
      level: 'info',
      topic: 'gpu',
      text: `GPU ${g.index}: ${g.name}, driver ${g.driver}, ${cc}${mem}`,
    });
    const driverMajor = Number(g.driver.split('.')[0]);
    if (Number.isFinite(driverMajor) && driverMajor < 450) {
      out.push({
        level: 'fail',
        topic: 'gpu',
        text: `driver ${g.driver} is older than CUDA 11.2 needs (≥ 450.80.02)`,
        next: 'update the NVIDIA driver (any newer driver runs CUDA 11.2 applications)',
      });
    }
    const s = support[i]!;
    if (s.kind === 'native') out.push({ level: 'ok', topic: 'gpu', text: s.note });
    else if (s.kind === 'unsupported') {
      out.push({
        level: 'fail',
        topic: 'gpu',
        text: s.note,
        next: 'use --backend node or wasm on this machine',
      });
    } else if (s.kind === 'unknown') {
      out.push({
        level: 'warn',
        topic: 'gpu',
        text: s.note,
        next: 'look the GPU up on developer.nvidia.com/cuda-gpus',
      });
    } else {
      out.push({
        level: 'warn',
        topic: 'gpu',
        text: s.note,
        next: s.hopperOrNewer
          ? `let one first run finish with export CUDA_CACHE_MAXSIZE=4294967296 (the driver then keeps the compiled kernels), or use a TensorFlow ≥ 2.15 GPU libtensorflow with tfjs-node-gpu (${README}; untested)`
          : 'export CUDA_CACHE_MAXSIZE=4294967296 so the driver keeps the compiled kernels after the first start',
      });
    }
  });
  return out;
}

function packageFindings(
  which: 'node-gpu' | 'node',
  r: NodePackageReport,
  cuda: CudaLibraryReport,
): Finding[] {
  const pkg = r.package;
  const flavour = which === 'node-gpu' ? 'GPU' : 'CPU';
  if (!r.installed) {
    return [
      {
        level: 'fail',
        topic: which,
        text: `${pkg} is not installed (an optional dependency: its install script downloads libtensorflow 2.9.1 ${flavour})`,
        next: `npm install ${pkg}@4.22.0 on a machine that can reach storage.googleapis.com`,
      },
    ];
  }
  const head = `${pkg} ${r.version ?? '?'} is installed`;
  if (!r.binding) {
    return [
      {
        level: 'fail',
        topic: which,
        text: `${head} but its native binding (lib/napi-v*/tfjs_binding.node) is missing: the libtensorflow download failed at install time`,
        next: `npm rebuild ${pkg} with access to storage.googleapis.com (or set TFJS_NODE_CDN_STORAGE to a mirror)`,
      },
    ];
  }
  const lib = r.libtensorflow ? `libtensorflow ${r.libtensorflow}` : 'libtensorflow (version unknown)';
  const load = r.load;
  if (!load) return [{ level: 'info', topic: which, text: `${head} with ${lib} (not loaded)` }];
  if (!load.ok) {
    const so = /(lib[\w+-]+\.so[.\d]*)/.exec(load.error ?? '')?.[1];
    return [
      {
        level: 'fail',
        topic: which,
        text: `${head} but loading it failed: ${load.error}`,
        next: so
          ? `make ${so} findable (LD_LIBRARY_PATH) or reinstall: npm rebuild ${pkg}`
          : `npm rebuild ${pkg}; if it still fails, run node -e "require('${pkg}')" to see the full error`,
      },
    ];
  }
  const loaded = `${head}; it loads libtensorflow ${load.tfVersion ?? r.libtensorflow ?? '?'}`;
  if (which === 'node') return [{ level: 'ok', topic: which, text: loaded }];
  const out: Finding[] = [];
  if (load.usingGpu) out.push({ level: 'ok', topic: which, text: `${loaded} and TensorFlow uses the GPU` });
  else {
    const missing = load.missingLibraries.length
      ? `; its loader could not open ${load.missingLibraries.join(', ')}`
      : '';
    const found11 = cuda.libraries.filter((l) => l.path).length === cuda.libraries.length;
    out.push({
      level: 'fail',
      topic: which,
      text: `${loaded} but TensorFlow registered no GPU (it would compute on the CPU)${missing}`,
      next: load.missingLibraries.length
        ? CUDA11_ROUTE
        : found11
          ? 'check that nvidia-smi works for this user and that CUDA_VISIBLE_DEVICES is not empty'
          : CUDA11_ROUTE,
    });
  }
  if (load.ptxWarning) {
    out.push({
      level: 'warn',
      topic: which,
      text: `TensorFlow says: ${load.ptxWarning}`,
      next: 'export CUDA_CACHE_MAXSIZE=4294967296 and let one first run finish, or see ' + README,
    });
  }
  return out;
}

/** The GPU path's diagnosis on its own: what `--backend node-gpu` reports when it cannot run. */
export function diagnoseGpuPath(options: DoctorOptions = {}): GpuPathReport {
  const env = options.env ?? process.env;
  const probe = (which: 'node-gpu' | 'node') =>
    probeNodePackage(PKG[which], {
      env,
      ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
    });
  const packages = { 'node-gpu': probe('node-gpu'), node: probe('node') };
  const cuda = probeCudaLibraries({
    env,
    ...(options.ldconfigCache !== undefined ? { ldconfigCache: options.ldconfigCache } : {}),
  });
  const gpuReport = probeGpus(env);
  const support = gpuReport.gpus.map((g) => tf29KernelSupport(g.computeCapability));
  // The library and compute-capability checks describe libtensorflow 2.9.1 (tfjs-node-gpu 4.22's).
  const gpuLib = packages['node-gpu'].load?.tfVersion ?? packages['node-gpu'].libtensorflow;
  const custom: Finding[] =
    gpuLib && !gpuLib.startsWith('2.9.')
      ? [
          {
            level: 'warn',
            topic: 'cuda',
            text: `tfjs-node-gpu runs libtensorflow ${gpuLib}, not 2.9.1: the CUDA 11 / cuDNN 8 and compute-capability checks here are 2.9.1's`,
            next: "go by TensorFlow's own loader lines (ugp doctor --json: packages.node-gpu.load.log)",
          },
        ]
      : [];
  const findings = [
    ...packageFindings('node-gpu', packages['node-gpu'], cuda),
    ...custom,
    ...libraryFindings(cuda, gpuReport.available && gpuReport.gpus.length > 0),
    ...gpuFindings(gpuReport, support),
    ...packageFindings('node', packages.node, cuda),
  ];
  return { packages, cuda, gpus: { ...gpuReport, support }, findings };
}

function cpuFindings(cpu: CpuReport, chosen: DoctorReport['chosen']): Finding[] {
  const out: Finding[] = [];
  const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  out.push({
    level: 'info',
    topic: 'wasm',
    text: `${cpu.cpus} CPUs (${cpu.cpuModel}), ${mib(cpu.memoryBytes)} memory; runs use ${cpu.defaultThreads} thread${cpu.defaultThreads === 1 ? '' : 's'} (UGP_THREADS changes it)`,
  });
  if (chosen?.name === 'wasm') {
    out.push({
      level: chosen.threads > 1 || cpu.cpus === 1 ? 'ok' : 'warn',
      topic: 'wasm',
      text: `wasm runs XNNPACK with ${chosen.threads} thread${chosen.threads === 1 ? '' : 's'}`,
      ...(chosen.threads > 1 || cpu.cpus === 1
        ? {}
        : { next: 'set UGP_THREADS to the CPUs this job may use' }),
    });
  }
  out.push(
    cpu.wasmHeapLimitBytes
      ? {
          level: 'info',
          topic: 'wasm',
          text: `wasm heap limit ${mib(cpu.wasmHeapLimitBytes)} (tfjs-backend-wasm's memory maximum: weights, Adam moments and a step's activations must fit)`,
        }
      : {
          level: 'warn',
          topic: 'wasm',
          text: "wasm heap limit unknown (tfjs-backend-wasm's glue did not say)",
          next: 'assume 4096 MiB; lower batch_size if a step runs out of memory',
        },
  );
  const n = cpu.native;
  out.push(
    n.loaded
      ? {
          level: 'ok',
          topic: 'wasm',
          text: `native oneDNN kernels loaded${n.version ? ` (oneDNN ${n.version})` : ''}`,
        }
      : {
          level: 'warn',
          topic: 'wasm',
          text: `no native oneDNN kernels: ${n.reason ?? 'not loaded'}`,
          next: n.built
            ? 'unset UGP_NATIVE, or rebuild: npm rebuild @ugpnet/tensor'
            : 'apt-get install -y libdnnl-dev, then npm rebuild @ugpnet/tensor',
        },
  );
  return out;
}

function kernelFindings(kernels: DoctorReport['kernels']): Finding[] {
  const total = new Set(Object.values(trainingKernels().stages).flat()).size;
  return kernels.map((k) =>
    k.missing.length
      ? {
          level: 'fail' as const,
          topic: 'kernels',
          text: `${k.backend} lacks ${k.missing.length} kernel(s) our training steps use: ${k.missing
            .map((m) => `${m.kernel} (${m.stages.join(', ')})`)
            .join('; ')} [${k.source}]`,
          next: 'train those stages with --backend wasm, and report this with `ugp doctor --json`',
        }
      : {
          level: 'ok' as const,
          topic: 'kernels',
          text: `${k.backend} registers all ${total} kernels our training steps use [${k.source}]`,
        },
  );
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const requested = options.requested ?? 'auto';
  const gpuPath = diagnoseGpuPath(options);
  const cpu = await probeCpu();
  const report: DoctorReport = { requested, chosen: null, cpu, kernels: [], conv: null, ...gpuPath };
  const findings: Finding[] = [];
  const choose = async (backend: BackendName | 'auto') => {
    const info: { native?: string } & Awaited<ReturnType<typeof initBackend>> = await initBackend({
      backend,
      log: null,
    });
    return {
      name: info.name,
      tfBackend: info.tfName,
      threads: info.threads,
      reason: info.reason,
      ...(info.native ? { native: info.native } : {}),
    };
  };
  if (options.initBackend !== false) {
    try {
      report.chosen = await choose(requested);
    } catch (err) {
      // Its first line: the diagnosis lines that follow it in the error are this report's findings.
      report.refused = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
      findings.push({
        level: 'fail',
        topic: 'backend',
        text: report.refused,
        next: 'fix what the lines below say, or leave --backend out: auto takes the first backend that works',
      });
      if (requested !== 'auto') report.chosen = await choose('auto');
    }
  }
  const chosen = report.chosen;
  if (chosen) {
    findings.unshift({
      level: 'ok',
      topic: 'backend',
      text: `backend ${chosen.name} (${chosen.threads} thread${chosen.threads === 1 ? '' : 's'}): ${chosen.reason}${chosen.native ? `; ${chosen.native}` : ''}`,
    });
    report.kernels.push({ backend: chosen.name, ...kernelCoverage(chosen.tfBackend) });
  }
  if (chosen?.tfBackend !== 'tensorflow') {
    const node = tfjsNodeKernels();
    const coverage = kernelCoverage('tensorflow');
    report.kernels.push({ backend: 'node/node-gpu', ...coverage });
    findings.push({
      level: 'info',
      topic: 'kernels',
      text: `${node.package}@${node.version} lacks ${TENSORFLOW_FALLBACK_KERNELS.join(', ')}; @ugpnet/tensor registers its own on that backend`,
    });
  }
  if (chosen) {
    const jit = chosen.name === 'node-gpu' && gpuPath.gpus.support.some((s) => s.kind === 'jit');
    if (jit)
      options.log?.(
        'timing a convolution on the GPU: TensorFlow may JIT-compile its kernels from PTX first (minutes, on Hopper possibly 30+)',
      );
    report.conv = await timeConvolutions();
  }
  report.findings = [
    ...findings.filter((f) => f.topic === 'backend'),
    ...gpuPath.findings,
    ...cpuFindings(cpu, chosen),
    ...kernelFindings(report.kernels),
    ...findings.filter((f) => f.topic !== 'backend'),
  ];
  return report;
}

const MARK: Record<FindingLevel, string> = { ok: '✓', info: '·', warn: '!', fail: '✗' };

export function formatFinding(f: Finding): string {
  return `${MARK[f.level]} ${f.text}${f.next ? ` → next: ${f.next}` : ''}`;
}

const TOPIC_TITLES: Record<string, string> = {
  backend: 'Backend',
  'node-gpu': 'node-gpu (@tensorflow/tfjs-node-gpu 4.22 = libtensorflow 2.9.1, CUDA 11.2 + cuDNN 8.1)',
  cuda: 'CUDA libraries libtensorflow 2.9.1 opens',
  gpu: 'GPUs (nvidia-smi)',
  node: 'node (@tensorflow/tfjs-node 4.22, libtensorflow 2.9.1 on the CPU)',
  wasm: 'wasm / CPU',
  kernels: 'Kernels of our training steps',
};

/** The report as text: one section per topic, then the convolution timing. */
export function formatDoctor(report: DoctorReport): string[] {
  const lines: string[] = [];
  for (const topic of Object.keys(TOPIC_TITLES)) {
    const fs = report.findings.filter((f) => f.topic === topic);
    if (!fs.length) continue;
    lines.push(TOPIC_TITLES[topic]!);
    for (const f of fs) lines.push(`  ${formatFinding(f)}`);
  }
  const c = report.conv;
  if (c) {
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    lines.push(`3×3 convolution on ${c.backend} (${c.input.join('×')} input, ${c.filter.join('×')} filter)`);
    lines.push(
      `  first ${c.firstMs.toFixed(1)} ms, second ${c.secondMs.toFixed(1)} ms; tf.memory: ${c.numTensors} tensors, ${mib(c.tensorBytes)}` +
        (c.wasmHeapBytes ? `; wasm heap ${mib(c.wasmHeapBytes)} now` : '') +
        (c.note ? ` (${c.note})` : ''),
    );
  }
  return lines;
}
