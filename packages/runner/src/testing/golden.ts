// The official-code reference data (../shared/golden beside the repository; UGP_GOLDEN_DIR
// overrides) for the runner's golden suites. Without the folder the suites skip, except under
// UGP_REQUIRE_GOLDEN=1 (CI), where they fail.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { nchwToNhwc, pthStateDict, readNpy, readPth, type TorchTensor } from '@ugpnet/tensor';

const here = dirname(fileURLToPath(import.meta.url));

export const GOLDEN_DIR =
  process.env.UGP_GOLDEN_DIR ?? process.env.UGP_GOLDEN ?? resolve(here, '../../../../../shared/golden');
export const hasGolden = existsSync(join(GOLDEN_DIR, 'README.md'));
/** Run the golden suites: the folder is there, or CI requires it (they then fail on the missing files). */
export const runGolden = hasGolden || process.env.UGP_REQUIRE_GOLDEN === '1';

export function requireGolden(): void {
  if (!hasGolden) throw new Error(`golden data not found at ${GOLDEN_DIR} (UGP_REQUIRE_GOLDEN=1)`);
}

export const goldenPath = (...parts: string[]) => join(GOLDEN_DIR, ...parts);

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
