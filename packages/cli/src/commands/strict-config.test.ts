// Strict configuration and recipe preflight through the CLI: a misspelled key at any depth (in
// a file of an `extends` chain, in --set, in a grid axis) and a paper recipe without its
// pretrained perceptual weights each exit 1 with one clear line, before anything is stored.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/golden.js';
import { runUgp } from '../testing/run-ugp.js';

let dir: string;
let db: string;
const savedWeightsDir = process.env.UGP_WEIGHTS_DIR;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-strict-'));
  db = join(dir, 'ugp.db');
  // An empty weight cache: no LPIPS / VGG files.
  process.env.UGP_WEIGHTS_DIR = join(dir, 'weights');
  mkdirSync(process.env.UGP_WEIGHTS_DIR);
});

afterEach(() => {
  if (savedWeightsDir === undefined) delete process.env.UGP_WEIGHTS_DIR;
  else process.env.UGP_WEIGHTS_DIR = savedWeightsDir;
});

/** Nothing was recorded: no store file, or one without runs and grids. */
function expectStoreUntouched(): void {
  if (!existsSync(db)) return;
  const store = openStore(db, { readonly: true });
  try {
    expect(store.listRuns({})).toEqual([]);
  } finally {
    store.close();
  }
}

function writeExperiments(): string {
  writeFileSync(
    join(dir, 'base.json'),
    JSON.stringify({
      name: 'strict',
      arch: 'tiny-32',
      data: { size: 32, batch_size: 2, train_count: 4, val_count: 2 },
      perceptual: { allow_proxy: true, proxy_width_divisor: 16 },
      stages_to_run: ['restoration'],
      init: { regression: 'random' },
      stages: { restoration: { iterations: 1, val_every: 1 } },
    }),
  );
  const child = join(dir, 'child.json');
  writeFileSync(child, JSON.stringify({ extends: 'base.json', stages: { restoration: { lr: 0.001 } } }));
  return child;
}

describe('strict experiment keys', () => {
  it('a nested typo in a file of the extends chain names that file, the path and the closest key', async () => {
    writeExperiments();
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ extends: 'child.json', stages: { restoration: { lr_regresion: 0 } } }));
    const r = await runUgp(['train', typo, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.errors).toContain('typo.json: stages.restoration.lr_regresion: unknown key; did you mean lr_regression?');
    expect(r.errorLines).toHaveLength(1);
    expectStoreUntouched();
  });

  it('a nested typo in --set', async () => {
    const child = writeExperiments();
    const r = await runUgp(['train', child, '--db', db, '--set', 'data.degradation.kernel_sise=5']);
    expect(r.code).toBe(1);
    expect(r.errors).toContain('--set: data.degradation.kernel_sise: unknown key; did you mean kernel_size?');
    expectStoreUntouched();
  });

  it('a typo in a grid axis, before the grid is queued', async () => {
    const child = writeExperiments();
    const grid = join(dir, 'grid.json');
    writeFileSync(
      grid,
      JSON.stringify({ name: 'strict-grid', extends: child, axes: { 'stages.synthesis.adv_wieght': [0.1, 0.3] } }),
    );
    const r = await runUgp(['grid', 'run', grid, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.errors).toContain('stages.synthesis.adv_wieght: unknown key; did you mean adv_weight?');
    expectStoreUntouched();
    if (existsSync(db)) {
      const store = openStore(db, { readonly: true });
      try {
        expect(store.getGrid?.('strict-grid')).toBeUndefined();
      } finally {
        store.close();
      }
    }
  });
});

describe('paper recipes without pretrained perceptual weights', () => {
  it('ugp train refuses before creating a run and names ugp weights fetch', async () => {
    const recipe = resolve(REPO_ROOT, 'experiments/celeba-deblur.yaml');
    const r = await runUgp(['train', recipe, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/celeba-deblur\.yaml: the pretrained lpips, vgg16, vgg19 weights are not in .*weights/);
    expect(r.errors).toContain('ugp weights fetch lpips');
    expect(r.errors).toContain('perceptual.allow_proxy');
    expectStoreUntouched();
  });

  it('ugp grid run refuses the ablation grid the same way', async () => {
    const grid = resolve(REPO_ROOT, 'experiments/ablation-init.yaml');
    const r = await runUgp(['grid', 'run', grid, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.errors).toContain('ugp weights fetch lpips');
    expectStoreUntouched();
  });
});
