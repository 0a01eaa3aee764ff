// The doctor's probes on inputs this machine does not have: a tfjs-node-gpu whose libtensorflow
// logs a missing CUDA library (a stand-in package, loaded by the real child-process probe), one
// whose binding is not a library, and TensorFlow 2.9's kernel coverage per compute capability.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf29KernelSupport } from './gpus.js';
import { parseTensorflowLog, probeNodePackage } from './node-packages.js';
import { diagnoseGpuPath } from './report.js';

// TensorFlow 2.9's own line, as tensorflow/tfjs#8362 quotes it.
const CUDART_LINE =
  "2024-08-24 22:24:04.039287: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory; LD_LIBRARY_PATH: /usr/local/cuda:/usr/local/cuda/lib64:";

/** node_modules/@tensorflow/tfjs-node-gpu with a binding file and the given index.js. */
function fakeNodeGpu(indexJs: string): string {
  const root = mkdtempSync(join(tmpdir(), 'ugp-fake-tfjs-'));
  const pkg = join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  mkdirSync(join(pkg, 'lib', 'napi-v8'), { recursive: true });
  mkdirSync(join(pkg, 'deps', 'lib'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0' }),
  );
  writeFileSync(join(pkg, 'lib', 'napi-v8', 'tfjs_binding.node'), 'not a shared library');
  writeFileSync(join(pkg, 'deps', 'lib', 'libtensorflow.so.2.9.1'), '');
  writeFileSync(join(pkg, 'index.js'), indexJs);
  return root;
}

describe('doctor probes', () => {
  it("reads TensorFlow's loader log: missing libraries and the PTX warning", () => {
    const parsed = parseTensorflowLog(
      `${CUDART_LINE}\nW tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: x\n` +
        'W tensorflow/core/common_runtime/gpu/gpu_device.cc:2052] TensorFlow was not built with CUDA kernel binaries compatible with compute capability 9.0. CUDA kernels will be jit-compiled from PTX, which could take 30 minutes or longer.\n' +
        'I unrelated line\n',
    );
    expect(parsed.missingLibraries).toEqual(['libcudart.so.11.0', 'libcudnn.so.8']);
    expect(parsed.ptxWarning).toMatch(
      /^TensorFlow was not built with CUDA kernel binaries compatible with compute capability 9\.0/,
    );
    expect(parsed.log).toHaveLength(3);
  });

  it('a tfjs-node-gpu that loads but whose TensorFlow found no GPU: names the library its loader missed and the fix', () => {
    const root = fakeNodeGpu(
      `process.stderr.write(${JSON.stringify(`${CUDART_LINE}\n`)});\n` +
        "module.exports = { backend: () => ({ binding: { TF_Version: '2.9.1' }, isUsingGpuDevice: false }) };\n",
    );
    const report = probeNodePackage('@tensorflow/tfjs-node-gpu', { resolveFrom: root });
    expect(report).toMatchObject({
      installed: true,
      version: '4.22.0',
      libtensorflow: '2.9.1',
      load: { ok: true, tfVersion: '2.9.1', usingGpu: false, missingLibraries: ['libcudart.so.11.0'] },
    });
    const finding = diagnoseGpuPath({ resolveFrom: root, ldconfigCache: '' }).findings.find(
      (f) => f.topic === 'node-gpu',
    )!;
    expect(finding.level).toBe('fail');
    expect(finding.text).toBe(
      '@tensorflow/tfjs-node-gpu 4.22.0 is installed; it loads libtensorflow 2.9.1 but TensorFlow registered no GPU (it would compute on the CPU); its loader could not open libcudart.so.11.0',
    );
    expect(finding.next).toMatch(/cudatoolkit=11\.2 cudnn=8\.1\.0/);
  });

  it('a tfjs-node-gpu whose require() throws: the first line of the error and what to run', () => {
    const root = fakeNodeGpu("require('./lib/napi-v8/tfjs_binding.node');\n");
    const report = probeNodePackage('@tensorflow/tfjs-node-gpu', { resolveFrom: root });
    expect(report.load?.ok).toBe(false);
    expect(report.load?.error).toMatch(/tfjs_binding\.node|invalid ELF header|file too short/);
    const finding = diagnoseGpuPath({ resolveFrom: root, ldconfigCache: '' }).findings.find(
      (f) => f.topic === 'node-gpu',
    )!;
    expect(finding).toMatchObject({
      level: 'fail',
      next: expect.stringMatching(/npm rebuild @tensorflow\/tfjs-node-gpu/),
    });
  });

  it('a custom libtensorflow (2.15) that uses the GPU: ok, and a warning that the 2.9.1 checks do not apply', () => {
    const root = fakeNodeGpu(
      "module.exports = { backend: () => ({ binding: { TF_Version: '2.15.0' }, isUsingGpuDevice: true }) };\n",
    );
    const findings = diagnoseGpuPath({ resolveFrom: root, ldconfigCache: '' }).findings;
    expect(findings.find((f) => f.topic === 'node-gpu')).toMatchObject({
      level: 'ok',
      text: expect.stringMatching(/loads libtensorflow 2\.15\.0 and TensorFlow uses the GPU$/),
    });
    expect(findings.find((f) => f.topic === 'cuda')).toMatchObject({
      level: 'warn',
      text: expect.stringMatching(/^tfjs-node-gpu runs libtensorflow 2\.15\.0, not 2\.9\.1/),
    });
  });

  it("TensorFlow 2.9's kernels by compute capability: SASS to 7.5, PTX JIT from 8.0, a loud warning from 9.0", () => {
    expect(tf29KernelSupport('3.0').kind).toBe('unsupported');
    expect(tf29KernelSupport('3.7')).toMatchObject({ kind: 'native', note: expect.stringMatching(/sm_35/) });
    expect(tf29KernelSupport('6.1')).toMatchObject({ kind: 'native', note: expect.stringMatching(/sm_60/) });
    expect(tf29KernelSupport('7.5')).toMatchObject({ kind: 'native', note: expect.stringMatching(/sm_75/) });
    expect(tf29KernelSupport('8.6')).toMatchObject({ kind: 'jit', hopperOrNewer: false });
    expect(tf29KernelSupport('9.0')).toMatchObject({
      kind: 'jit',
      hopperOrNewer: true,
      note: expect.stringMatching(/30 minutes or longer/),
    });
    expect(tf29KernelSupport(null).kind).toBe('unknown');
  });
});
