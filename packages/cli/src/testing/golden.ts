// The official-code reference data (../shared/golden, located by @ugpnet/test-support) used by the
// command tests.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenPath } from '@ugpnet/test-support';

const here = dirname(fileURLToPath(import.meta.url));

export const REPO_ROOT = resolve(here, '../../../..');

export const goldenFile = (caseName: string, file: string) => goldenPath(caseName, file);

/** golden/ugpnet's architecture (the resmodule, synmodule and fusion cases' constructors), shared with models' tests. */
export const GOLDEN_UGPNET_ARCH = JSON.parse(
  readFileSync(join(REPO_ROOT, 'packages/models/src/testing/golden-ugpnet-arch.json'), 'utf8'),
);

/** Writes the golden architecture as a config file in `dir` and returns its path. */
export function writeGoldenArch(dir: string): string {
  const path = join(dir, 'golden-arch.json');
  writeFileSync(path, JSON.stringify(GOLDEN_UGPNET_ARCH));
  return path;
}

export const OFFICIAL_FILES = {
  resmodule: goldenFile('resmodule', 'resmodule.pth'),
  synmodule: goldenFile('synmodule', 'synmodule.pth'),
  fusmodule: goldenFile('fusion', 'fusmodule.pth'),
};

/** `ugp weights import` of the three official stage files into the checkpoint folder `out`. */
export function officialImportArgs(arch: string, out: string): string[] {
  return [
    'weights',
    'import',
    '--arch',
    arch,
    '--resmodule',
    OFFICIAL_FILES.resmodule,
    '--synmodule',
    OFFICIAL_FILES.synmodule,
    '--fusmodule',
    OFFICIAL_FILES.fusmodule,
    '--out',
    out,
  ];
}
