// @tensorflow/tfjs-node and -gpu as installed here: the package, its native binding, the
// libtensorflow it downloaded, and what happens when it loads. Loading runs in a child process so
// that TensorFlow's own start-up log (which names every CUDA library it could not open) can be read,
// and so that a crash in libtensorflow does not take `ugp doctor` down with it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type NodePackage = '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

export interface NodePackageReport {
  package: NodePackage;
  installed: boolean;
  version?: string;
  root?: string;
  /** lib/napi-v*\/tfjs_binding.node, when it exists. */
  binding?: string;
  /** The libtensorflow in deps/lib, from its file name (libtensorflow.so.2.9.1 → 2.9.1). */
  libtensorflow?: string;
  /** The result of loading it (absent when it was not tried: not installed, or no binding). */
  load?: LoadResult;
}

export interface LoadResult {
  ok: boolean;
  /** The first line of the error require() threw. */
  error?: string;
  /** TF_Version() of the loaded libtensorflow. */
  tfVersion?: string;
  /** The backend's isUsingGpuDevice (tfjs-node-gpu: TensorFlow registered a GPU device). */
  usingGpu?: boolean;
  /** Libraries TensorFlow's loader reported it could not open. */
  missingLibraries: string[];
  /** TensorFlow's warning about JIT compilation from PTX, when it printed one. */
  ptxWarning?: string;
  /** The start-up log's lines that matter (dso_loader, gpu_device), for the report. */
  log: string[];
}

export interface NodeProbeOptions {
  env?: NodeJS.ProcessEnv;
  /** Folder whose node_modules the packages resolve from (default: this package's). */
  resolveFrom?: string;
  /** Load the package in a child process to read TensorFlow's start-up log (default true). */
  load?: boolean;
}

// Runs in the child: load the package, report what the binding says, as one JSON line on stdout.
const LOAD_SCRIPT = `
const out = { ok: false };
try {
  const tf = require(process.argv[1]);
  const b = tf.backend();
  out.ok = true;
  out.tfVersion = b.binding && b.binding.TF_Version;
  out.usingGpu = !!b.isUsingGpuDevice;
} catch (err) {
  out.error = String(err && err.message || err).split('\\n')[0];
}
process.stdout.write('\\n' + JSON.stringify(out) + '\\n');
`;

/** TensorFlow's loader lines, e.g. "Could not load dynamic library 'libcudart.so.11.0'; dlerror: …". */
export function parseTensorflowLog(log: string): Pick<LoadResult, 'missingLibraries' | 'ptxWarning' | 'log'> {
  const lines = log.split('\n');
  const missing = new Set<string>();
  for (const line of lines) {
    const m = /Could not load dynamic library '([^']+)'/.exec(line);
    if (m) missing.add(m[1]!);
  }
  const ptx = lines.find((l) => /jit-compiled from PTX/.test(l));
  const kept = lines.filter((l) =>
    /dso_loader|gpu_device|Could not load|Skipping registering GPU|jit-compiled|Created device|cuda_driver/.test(
      l,
    ),
  );
  return {
    missingLibraries: [...missing],
    ...(ptx ? { ptxWarning: ptx.replace(/^.*\] /, '').trim() } : {}),
    log: kept.map((l) => l.trim()),
  };
}

export function probeNodePackage(pkg: NodePackage, options: NodeProbeOptions = {}): NodePackageReport {
  const env = options.env ?? process.env;
  const require = createRequire(join(options.resolveFrom ?? dirname(fileURLToPath(import.meta.url)), 'x.js'));
  let root: string;
  try {
    root = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return { package: pkg, installed: false };
  }
  const report: NodePackageReport = { package: pkg, installed: true, root };
  try {
    report.version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  } catch {
    // a package.json we cannot read: the version stays unknown
  }
  const lib = join(root, 'lib');
  for (const dir of existsSync(lib) ? readdirSync(lib).sort().reverse() : []) {
    const binding = join(lib, dir, 'tfjs_binding.node');
    if (dir.startsWith('napi-v') && existsSync(binding)) {
      report.binding = binding;
      break;
    }
  }
  const deps = join(root, 'deps', 'lib');
  for (const file of existsSync(deps) ? readdirSync(deps) : []) {
    const m = /^libtensorflow\.so\.(\d+\.\d+\.\d+)$/.exec(file);
    if (m) report.libtensorflow = m[1];
  }
  if (report.binding && options.load !== false) report.load = loadInChild(root, env);
  return report;
}

function loadInChild(root: string, env: NodeJS.ProcessEnv): LoadResult {
  const child = spawnSync(process.execPath, ['-e', LOAD_SCRIPT, root], {
    env: { ...env, TF_CPP_MIN_LOG_LEVEL: '0' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const parsed = parseTensorflowLog(child.stderr ?? '');
  const last = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  if (!last.startsWith('{')) {
    const why = child.signal
      ? `the loading process died (${child.signal})`
      : child.error
        ? child.error.message
        : firstError(child.stderr ?? '');
    return { ok: false, error: why, ...parsed };
  }
  return { ...(JSON.parse(last) as Omit<LoadResult, 'missingLibraries' | 'log'>), ...parsed };
}

function firstError(stderr: string): string {
  return (
    stderr
      .split('\n')
      .find((l) => /Error|error/.test(l))
      ?.trim() ?? 'the loading process failed without a message'
  );
}
