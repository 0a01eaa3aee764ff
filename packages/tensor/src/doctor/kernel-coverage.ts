// Which kernels our training steps dispatch (fixtures/training-kernels.json, recorded from profiled
// wasm steps by cli's doctor-kernels test) against what a backend registers: tfjs' live registry
// for the backend that runs, or, for tfjs-node(-gpu) when it cannot be loaded here, the list taken
// from the package itself (fixtures/tfjs-node-kernels.json, made by tools/tfjs-node-kernels.mjs).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/** Kernels tfjs-node lacks that tensor registers itself on the 'tensorflow' backend (kernels/transform-gather.ts). */
export const TENSORFLOW_FALLBACK_KERNELS = ['Transform'] as const;

// src/doctor and dist/doctor both sit two levels below the package root.
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export interface TfjsNodeKernels {
  package: string;
  version: string;
  libtensorflow: string;
  kernels: string[];
}

export interface TrainingKernels {
  /** Kernel names per stage, sorted. */
  stages: Record<string, string[]>;
}

let nodeList: TfjsNodeKernels | undefined;
let trainingList: TrainingKernels | undefined;

export function tfjsNodeKernels(): TfjsNodeKernels {
  nodeList ??= JSON.parse(readFileSync(join(FIXTURES, 'tfjs-node-kernels.json'), 'utf8')) as TfjsNodeKernels;
  return nodeList;
}

export function trainingKernels(): TrainingKernels {
  trainingList ??= JSON.parse(
    readFileSync(join(FIXTURES, 'training-kernels.json'), 'utf8'),
  ) as TrainingKernels;
  return trainingList;
}

export interface KernelCoverage {
  /** Where the list of registered kernels came from. */
  source: string;
  /** Kernels a training step uses that the backend lacks, with the stages that use them. */
  missing: Array<{ kernel: string; stages: string[] }>;
}

/**
 * Coverage for a tfjs backend name ('wasm', 'cpu', 'tensorflow'). For 'tensorflow' that is not
 * registered in this process, the tfjs-node fixture stands in (plus our fallbacks, which tensor
 * registers whenever it loads tfjs-node).
 */
export function kernelCoverage(tfBackend: string): KernelCoverage {
  let registered: Set<string>;
  let source: string;
  if (tfBackend === 'tensorflow' && !tf.findBackend('tensorflow')) {
    const node = tfjsNodeKernels();
    registered = new Set([...node.kernels, ...TENSORFLOW_FALLBACK_KERNELS]);
    source = `${node.package}@${node.version} kernel list (fixture) + our fallbacks`;
  } else {
    registered = new Set(tf.getKernelsForBackend(tfBackend).map((k) => k.kernelName));
    source = `tfjs registry for '${tfBackend}'`;
  }
  const byKernel = new Map<string, string[]>();
  for (const [stage, names] of Object.entries(trainingKernels().stages)) {
    for (const name of names) {
      if (registered.has(name)) continue;
      byKernel.set(name, [...(byKernel.get(name) ?? []), stage]);
    }
  }
  return { source, missing: [...byKernel].map(([kernel, stages]) => ({ kernel, stages })) };
}
