// Loaders for the runner's golden suites; the folder itself is located by @ugpnet/test-support
// (UGP_GOLDEN_DIR; suites skip without it, except under UGP_REQUIRE_GOLDEN=1, where they fail).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { nchwToNhwc, pthStateDict, readNpy, readPth, type TorchTensor } from '@ugpnet/tensor';
import { goldenPath } from '@ugpnet/test-support';

export { GOLDEN_DIR, goldenPath, requireGolden, runGolden } from '@ugpnet/test-support';

const here = dirname(fileURLToPath(import.meta.url));

/** The architecture of golden/ugpnet's resmodule, synmodule and fusion weights (shared with models' tests). */
export const GOLDEN_ARCH_FILE = resolve(here, '../../../models/src/testing/golden-ugpnet-arch.json');

export function goldenJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(goldenPath(...parts), 'utf8')) as T;
}

/** A golden .pth's state dict (params wrappers unwrapped, or one section of a dict of dicts). */
export async function goldenStateDict(caseName: string, file: string, section?: string) {
  const path = goldenPath(caseName, file);
  return pthStateDict(await readPth(path), { section, source: path });
}

/** A golden NCHW .npy image batch as NHWC. */
export function goldenImage(caseName: string, file: string): tf.Tensor4D {
  return nchwToNhwc(readNpy(goldenPath(caseName, file)));
}

/** Prefixes every key (a section of the synmodule dict → the SynthesisModule's own keys). */
export function prefixed(dict: Map<string, TorchTensor>, prefix: string): Map<string, TorchTensor> {
  return new Map([...dict].map(([k, v]) => [`${prefix}${k}`, v]));
}
