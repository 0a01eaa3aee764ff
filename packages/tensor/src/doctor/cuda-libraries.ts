// The CUDA/cuDNN shared libraries libtensorflow 2.9.1 (tfjs-node-gpu 4.22) opens with dlopen at
// start-up, looked up as the dynamic loader would: LD_LIBRARY_PATH, the ldconfig cache, then the
// standard folders. A missing one makes TensorFlow skip the GPU and compute on the CPU, saying so
// only in its log ("Could not load dynamic library 'libcudart.so.11.0'").
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** What TensorFlow 2.9 (built against CUDA 11.2 + cuDNN 8.1) loads, by soname. */
export const TF29_CUDA_LIBRARIES = [
  { soname: 'libcuda.so.1', what: 'the NVIDIA driver' },
  { soname: 'libcudart.so.11.0', what: 'CUDA 11 runtime' },
  { soname: 'libcublas.so.11', what: 'cuBLAS (CUDA 11)' },
  { soname: 'libcublasLt.so.11', what: 'cuBLASLt (CUDA 11)' },
  { soname: 'libcufft.so.10', what: 'cuFFT (CUDA 11)' },
  { soname: 'libcurand.so.10', what: 'cuRAND (CUDA 11)' },
  { soname: 'libcusolver.so.11', what: 'cuSOLVER (CUDA 11)' },
  { soname: 'libcusparse.so.11', what: 'cuSPARSE (CUDA 11)' },
  { soname: 'libcudnn.so.8', what: 'cuDNN 8' },
] as const;

const STANDARD_DIRS = [
  '/usr/local/cuda/lib64',
  '/usr/local/cuda/targets/x86_64-linux/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib64',
  '/usr/lib/wsl/lib',
];

export interface LibraryLookup {
  soname: string;
  what: string;
  /** Where the loader would find it, or null. */
  path: string | null;
  /** Other versions of the same library found (e.g. libcudart.so.12 when 11.0 is wanted). */
  otherVersions: string[];
}

export interface CudaLibraryReport {
  /** Folders searched, in the loader's order (ldconfig's cache is searched between the two lists). */
  searchDirs: string[];
  ldconfig: 'read' | string;
  libraries: LibraryLookup[];
}

export interface LibraryProbeOptions {
  env?: NodeJS.ProcessEnv;
  /** The ldconfig cache as `ldconfig -p` prints it; read from the system when omitted. */
  ldconfigCache?: string;
}

function readLdconfig(env: NodeJS.ProcessEnv): { text: string; status: string } {
  for (const cmd of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      return { text: execFileSync(cmd, ['-p'], { env, encoding: 'utf8', timeout: 10_000 }), status: 'read' };
    } catch {
      // try the next spelling
    }
  }
  return { text: '', status: 'ldconfig -p could not be run' };
}

/** name → path from `ldconfig -p` lines like "\tlibcudart.so.12 (libc6,x86-64) => /usr/lib/x/libcudart.so.12". */
function parseLdconfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
    // The first entry per name; 32-bit copies (plain "libc6") do not load into a 64-bit node.
    if (m && !out.has(m[1]!) && (process.arch !== 'x64' || m[2]!.includes('x86-64'))) out.set(m[1]!, m[3]!);
  }
  return out;
}

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Finds each library TF 2.9 needs, and for a missing one the versions that are there instead. */
export function probeCudaLibraries(options: LibraryProbeOptions = {}): CudaLibraryReport {
  const env = options.env ?? process.env;
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const ld =
    options.ldconfigCache === undefined ? readLdconfig(env) : { text: options.ldconfigCache, status: 'read' };
  const cache = parseLdconfig(ld.text);
  const standard = STANDARD_DIRS.filter((d) => existsSync(d));
  const dirs = [...fromEnv, ...standard];
  const libraries = TF29_CUDA_LIBRARIES.map(({ soname, what }): LibraryLookup => {
    let path: string | null = null;
    for (const dir of fromEnv) if (!path && existsSync(join(dir, soname))) path = join(dir, soname);
    path ??= cache.get(soname) ?? null;
    for (const dir of standard) if (!path && existsSync(join(dir, soname))) path = join(dir, soname);
    const base = soname.replace(/\.so\..*$/, '.so.');
    // One entry per real file (lib64 and targets/…/lib are often the same folder), in search order.
    const others = new Map<string, string>();
    const note = (p: string) => {
      const real = realpath(p);
      if (!others.has(real)) others.set(real, p);
    };
    if (!path) {
      for (const dir of dirs)
        for (const file of listDir(dir)) if (file.startsWith(base)) note(join(dir, file));
      for (const [name, p] of cache) if (name.startsWith(base)) note(p);
    }
    return { soname, what, path, otherVersions: [...others.values()] };
  });
  return { searchDirs: dirs, ldconfig: ld.status, libraries };
}

/** The CUDA major version a found library belongs to, from its file name (libcudart.so.12 → 12). */
export function cudaMajorOf(path: string): string | undefined {
  return /\.so\.(\d+)/.exec(path)?.[1];
}
