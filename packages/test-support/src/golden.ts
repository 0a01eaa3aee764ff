// The one locator of the official-code reference data: ../shared/golden beside the repository, or
// UGP_GOLDEN_DIR. Without the folder, golden suites skip — except under UGP_REQUIRE_GOLDEN=1 (CI),
// where they run and fail on the first file they need.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface GoldenLocation {
  dir: string;
  /** The folder is there (its README.md marks it). */
  present: boolean;
  /** UGP_REQUIRE_GOLDEN=1: a missing folder fails the golden suites instead of skipping them. */
  required: boolean;
}

export function locateGolden(env: NodeJS.ProcessEnv = process.env): GoldenLocation {
  const dir = env.UGP_GOLDEN_DIR || resolve(repoRoot, '../shared/golden');
  return { dir, present: existsSync(join(dir, 'README.md')), required: env.UGP_REQUIRE_GOLDEN === '1' };
}

/** Throws (failing the suite) when the folder is missing; a no-op when it is there. */
export function assertGolden(location: GoldenLocation): void {
  if (!location.present) {
    throw new Error(
      `golden data not found at ${location.dir} (set UGP_GOLDEN_DIR${location.required ? '; UGP_REQUIRE_GOLDEN=1' : ''})`,
    );
  }
}

const golden = locateGolden();

export const GOLDEN_DIR = golden.dir;
/** Whether golden suites run: the folder is there, or CI requires it (they then fail). */
export const runGolden = golden.present || golden.required;

export function requireGolden(): void {
  assertGolden(golden);
}

/** A path inside the golden folder (suites check the folder first: describeGolden / requireGolden). */
export function goldenPath(...parts: string[]): string {
  return join(GOLDEN_DIR, ...parts);
}
