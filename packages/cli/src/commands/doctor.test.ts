// `ugp doctor` on this machine (no tfjs-node(-gpu), no GPU), with a fake nvidia-smi reporting a
// Hopper GPU, and with LD_LIBRARY_PATH holding only a CUDA 12 runtime; and `--backend node-gpu`
// refused with the doctor's diagnosis. The backend is chosen once per process, so the refusal runs
// first.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';

interface Finding {
  level: 'ok' | 'info' | 'warn' | 'fail';
  topic: string;
  text: string;
  next?: string;
}

const saved = { PATH: process.env.PATH, LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH };
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.LD_LIBRARY_PATH === undefined) delete process.env.LD_LIBRARY_PATH;
  else process.env.LD_LIBRARY_PATH = saved.LD_LIBRARY_PATH;
});

async function doctorJson(...flags: string[]) {
  const r = await runUgp(['doctor', '--json', ...flags]);
  return { ...r, report: JSON.parse(r.out) as Record<string, unknown> & { findings: Finding[] } };
}

/** A folder with an executable `nvidia-smi` that answers --query-gpu like an H200 on driver 550. */
function fakeNvidiaSmi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ugp-fake-smi-'));
  const script = join(dir, 'nvidia-smi');
  writeFileSync(
    script,
    '#!/bin/sh\ncase "$*" in *compute_cap*) echo "0, NVIDIA H200, 550.54.15, 9.0, 143771, 1" ;; *) exit 2 ;; esac\n',
  );
  chmodSync(script, 0o755);
  return dir;
}

describe('ugp doctor', () => {
  it('--backend node-gpu where it cannot run: exit 1 with the diagnosis, each failure with its next step', async () => {
    const r = await runUgp([
      'bench',
      'step',
      '--backend',
      'node-gpu',
      '--arch',
      'tiny-32',
      '--stage',
      'restoration',
    ]);
    expect(r.code).toBe(1);
    expect(r.errorLines[0]).toMatch(
      /^error: backend 'node-gpu' is not available: @tensorflow\/tfjs-node-gpu is not installed/,
    );
    // The diagnosis: the package, the CUDA libraries, the GPUs; every ✗ line says what to do next.
    expect(r.errors).toMatch(
      /✗ @tensorflow\/tfjs-node-gpu is not installed.*→ next: npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/,
    );
    expect(r.errors).toMatch(/✗ no NVIDIA driver library \(libcuda\.so\.1\).*libcudart\.so\.11\.0.*→ next: /);
    expect(r.errors).toMatch(/✗ no GPU visible: nvidia-smi is not on the PATH → next: /);
    for (const line of r.errors.split('\n').filter((l) => l.includes('✗')))
      expect(line).toMatch(/→ next: \S/);
    expect(r.errors).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('doctor --backend node-gpu: the refusal as a finding, exit 1, and the rest of the report on auto’s backend', async () => {
    const { code, report } = await doctorJson('--backend', 'node-gpu');
    expect(code).toBe(1);
    expect(report.requested).toBe('node-gpu');
    expect(report.refused).toMatch(
      /^backend 'node-gpu' is not available: @tensorflow\/tfjs-node-gpu is not installed/,
    );
    expect(report.findings.find((f) => f.topic === 'backend' && f.level === 'fail')).toMatchObject({
      next: expect.stringMatching(/leave --backend out/),
    });
    expect(report.chosen).toMatchObject({ name: 'wasm' });
  });

  it('on this machine: wasm runs, and it says exactly why node-gpu and node do not', async () => {
    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(Object.keys(report).sort()).toEqual(
      ['chosen', 'conv', 'cpu', 'cuda', 'findings', 'gpus', 'kernels', 'packages', 'requested'].sort(),
    );
    expect(report.requested).toBe('auto');
    expect(report.chosen).toMatchObject({ name: 'wasm', tfBackend: 'wasm' });
    const chosen = report.chosen as { reason: string; threads: number };
    expect(chosen.reason).toMatch(/node-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    expect(chosen.reason).toMatch(/node: @tensorflow\/tfjs-node is not installed/);
    expect(report.packages).toMatchObject({
      'node-gpu': { package: '@tensorflow/tfjs-node-gpu', installed: false },
      node: { package: '@tensorflow/tfjs-node', installed: false },
    });
    const byTopic = (topic: string) => report.findings.filter((f) => f.topic === topic);
    expect(byTopic('node-gpu')[0]).toMatchObject({
      level: 'fail',
      next: expect.stringMatching(/npm install/),
    });
    expect(byTopic('node')[0]).toMatchObject({
      level: 'fail',
      text: expect.stringMatching(/not installed.*libtensorflow 2\.9\.1 CPU/),
    });
    // CPU facts: CPUs, threads, wasm heap limit (tfjs-backend-wasm 4.22: 4 GiB), native kernels.
    const cpu = report.cpu as {
      cpus: number;
      defaultThreads: number;
      wasmHeapLimitBytes: number;
      native: { built: boolean };
    };
    expect(cpu.cpus).toBeGreaterThan(0);
    expect(cpu.defaultThreads).toBeGreaterThan(0);
    expect(cpu.wasmHeapLimitBytes).toBe(4 * 2 ** 30);
    expect(typeof cpu.native.built).toBe('boolean');
    expect(byTopic('wasm').map((f) => f.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^wasm runs XNNPACK with \d+ threads?/),
        expect.stringMatching(/^wasm heap limit 4096 MiB/),
        expect.stringMatching(/native oneDNN kernels/),
      ]),
    );
    // Kernel coverage: nothing missing on wasm; tfjs-node (fixture) + our Transform covers the steps.
    expect(report.kernels).toEqual([
      expect.objectContaining({ backend: 'wasm', missing: [] }),
      expect.objectContaining({ backend: 'node/node-gpu', missing: [] }),
    ]);
    const conv = report.conv as { backend: string; firstMs: number; secondMs: number; wasmHeapBytes: number };
    expect(conv.backend).toBe('wasm');
    expect(conv.firstMs).toBeGreaterThan(0);
    expect(conv.secondMs).toBeGreaterThan(0);
    expect(conv.wasmHeapBytes).toBeGreaterThan(0);
    for (const f of report.findings)
      if (f.level === 'fail' || f.level === 'warn') expect(f.next).toMatch(/\S/);
  });

  it('the text report has one section per topic and the convolution timing', async () => {
    const r = await runUgp(['doctor']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Backend\n {2}✓ backend wasm/);
    expect(r.out).toMatch(
      /\nnode-gpu \(@tensorflow\/tfjs-node-gpu 4\.22 = libtensorflow 2\.9\.1, CUDA 11\.2 \+ cuDNN 8\.1\)\n {2}✗/,
    );
    expect(r.out).toMatch(
      /\n3×3 convolution on wasm \(4×64×64×32 input, 3×3×32×32 filter\)\n {2}first [\d.]+ ms, second [\d.]+ ms/,
    );
  });

  it('a compute-capability-9.0 GPU (fake nvidia-smi): names it and warns that TensorFlow 2.9 will JIT from PTX', async () => {
    process.env.PATH = `${fakeNvidiaSmi()}:${process.env.PATH}`;
    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(report.gpus).toMatchObject({
      available: true,
      gpus: [
        {
          index: 0,
          name: 'NVIDIA H200',
          driver: '550.54.15',
          computeCapability: '9.0',
          memoryTotalMiB: 143771,
        },
      ],
      support: [{ kind: 'jit', hopperOrNewer: true }],
    });
    const gpu = report.findings.filter((f) => f.topic === 'gpu');
    expect(gpu[0]!.text).toBe(
      'GPU 0: NVIDIA H200, driver 550.54.15, compute capability 9.0, 143771 MiB (1 used)',
    );
    expect(gpu[1]).toMatchObject({
      level: 'warn',
      text: expect.stringMatching(/JIT-compiled from compute_80 PTX.*30 minutes or longer.*#60739/),
      next: expect.stringMatching(/CUDA_CACHE_MAXSIZE.*TensorFlow ≥ 2\.15/),
    });
  });

  it('LD_LIBRARY_PATH with only libcudart.so.12: names the missing libcudart.so.11.0 and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-cuda12-'));
    writeFileSync(join(dir, 'libcudart.so.12'), 'not a real library');
    process.env.LD_LIBRARY_PATH = dir;
    process.env.PATH = `${fakeNvidiaSmi()}:${process.env.PATH}`; // a driver is there: per-library lines
    const { report } = await doctorJson();
    expect((report.cuda as { searchDirs: string[] }).searchDirs[0]).toBe(dir);
    const cudart = report.findings.find((f) => f.topic === 'cuda' && f.text.startsWith('libcudart.so.11.0'))!;
    expect(cudart.level).toBe('fail');
    // Ours first (LD_LIBRARY_PATH is searched first); a machine may have more (this one: CUDA 13).
    expect(cudart.text).toMatch(
      new RegExp(
        `^libcudart\\.so\\.11\\.0 \\(CUDA 11 runtime\\) is missing; found ${join(dir, 'libcudart.so.12')}[^;]*\\(version 12[/\\d]*\\), which libtensorflow 2\\.9\\.1 cannot load$`,
      ),
    );
    expect(cudart.next).toMatch(
      /conda install -c conda-forge cudatoolkit=11\.2 cudnn=8\.1\.0.*LD_LIBRARY_PATH/,
    );
  });
});
