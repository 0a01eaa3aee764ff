import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { neededPriors, regressionIsFrozenRestoration } from '../priors.js';
import { readGridSpec } from '../grid/spec.js';
import { resolveGridCells } from './grid-cells.js';
import { loadExperiment, parseOverrides } from './load.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'ugp-exp-'));
}

describe('loadExperiment', () => {
  it('fills every recipe number from one place (DESIGN §3 defaults)', () => {
    const d = dir();
    writeFileSync(join(d, 'e.json'), JSON.stringify({ name: 'e' }));
    const e = loadExperiment(join(d, 'e.json'));
    expect(e.seed).toBe(777);
    expect(e.data.batch_size).toBe(8);
    expect(e.stages.restoration).toMatchObject({
      lr: 1e-4,
      iterations: 20000,
      val_every: 2000,
      loss: 'psnr',
    });
    expect(e.stages.synthesis).toMatchObject({
      lr_g: 1e-4,
      lr_d: 2.5e-5,
      l1_weight: 1,
      lpips_weight: 10,
      adv_weight: 0.3,
      r1_every: 10,
      r1_gamma: 10,
    });
    expect(e.stages.fusion).toMatchObject({
      lr: 1e-3,
      lr_decay_steps: [8000],
      lr_decay: 0.1,
      contextual_weight: 0.05,
    });
    expect(e.stages.fusion.contextual).toEqual({
      patch_size: 128,
      layer: 'relu3_4',
      band_width: 0.5,
      variant: 'reference',
    });
  });

  it('resolves extends chains (YAML over JSON), then applies --set overrides', () => {
    const d = dir();
    writeFileSync(join(d, 'base.json'), JSON.stringify({ name: 'base', data: { size: 256, batch_size: 4 } }));
    writeFileSync(join(d, 'child.yaml'), 'extends: base.json\nname: child\ndata:\n  size: 64\n');
    const e = loadExperiment(
      join(d, 'child.yaml'),
      parseOverrides(['stages.fusion.lr=0.01', 'init.generator=random']),
    );
    expect(e.name).toBe('child');
    expect(e.data.size).toBe(64);
    expect(e.data.batch_size).toBe(4);
    expect(e.stages.fusion.lr).toBe(0.01);
    expect(e.init.generator).toBe('random');
  });

  it('names the file and the field of a bad value, and rejects unknown keys', () => {
    const d = dir();
    writeFileSync(join(d, 'bad.json'), JSON.stringify({ name: 'b', stages: { fusion: { lr: -1 } } }));
    expect(() => loadExperiment(join(d, 'bad.json'))).toThrow(/bad\.json.*stages\.fusion\.lr/);
    writeFileSync(join(d, 'typo.json'), JSON.stringify({ name: 't', sead: 3 }));
    expect(() => loadExperiment(join(d, 'typo.json'))).toThrow(/typo\.json.*sead/);
    expect(() => loadExperiment(join(d, 'missing.json'))).toThrow(/missing\.json does not exist/);
  });

  it('refuses extends cycles and bad overrides', () => {
    const d = dir();
    writeFileSync(join(d, 'a.json'), JSON.stringify({ name: 'a', extends: 'b.json' }));
    writeFileSync(join(d, 'b.json'), JSON.stringify({ name: 'b', extends: 'a.json' }));
    expect(() => loadExperiment(join(d, 'a.json'))).toThrow(/cycle/);
    expect(() => parseOverrides(['novalue'])).toThrow(/--set novalue/);
  });

  it('loads every shipped experiment file', () => {
    const root = join(__dirname, '../../../../experiments');
    for (const file of [
      'demo.yaml',
      'demo-quick.yaml',
      'celeba-denoise.yaml',
      'celeba-deblur.yaml',
      'celeba-sr8.yaml',
      'church-denoise.yaml',
      'church-deblur.yaml',
    ]) {
      expect(loadExperiment(join(root, file)).name).toBeTruthy();
    }
  });

  it('rejects an unknown key at any depth with its full path and the closest valid key', () => {
    const d = dir();
    const cases: Array<[unknown, string]> = [
      [
        { stages: { restoration: { lr_regresion: 0 } } },
        'stages.restoration.lr_regresion: unknown key; did you mean lr_regression?',
      ],
      [
        { stages: { fusion: { contextual: { patch_sise: 64 } } } },
        'stages.fusion.contextual.patch_sise: unknown key; did you mean patch_size?',
      ],
      [
        { data: { degradation: { type: 'blur', kernel_sise: 5 } } },
        'data.degradation.kernel_sise: unknown key; did you mean kernel_size?',
      ],
      [
        { perceptual: { allow_proxi: true } },
        'perceptual.allow_proxi: unknown key; did you mean allow_proxy?',
      ],
    ];
    for (const [i, [body, message]] of cases.entries()) {
      const file = join(d, `typo${i}.json`);
      writeFileSync(file, JSON.stringify({ name: 't', ...(body as object) }));
      expect(() => loadExperiment(file)).toThrow(`typo${i}.json: ${message}`);
    }
    writeFileSync(join(d, 'ok.json'), JSON.stringify({ name: 'ok' }));
    expect(() => loadExperiment(join(d, 'ok.json'), parseOverrides(['stages.synthesis.r1_evry=5']))).toThrow(
      '--set: stages.synthesis.r1_evry: unknown key; did you mean r1_every?',
    );
  });

  it('a block that switches type replaces the inherited one (noise → blur keeps no k/sigma)', () => {
    const e = loadExperiment(join(__dirname, '../../../../experiments/celeba-deblur.yaml'));
    expect(e.data.degradation).toEqual({ type: 'blur', bank_size: 2000, kernel_size: 51, bank_seed: 0 });
  });

  it('validates every cell of the shipped grids', () => {
    const root = join(__dirname, '../../../../experiments');
    for (const file of ['ablation-init.yaml', 'demo-ablation.yaml', 'demo-quick-ablation.yaml']) {
      const path = join(root, file);
      const cells = resolveGridCells(readGridSpec(path), path);
      expect(cells).toHaveLength(4);
    }
  });

  it('the official recipes: synthesis noise from stored buffers, fusion freezes the final synthesis checkpoint', () => {
    const e = loadExperiment(join(__dirname, '../../../../experiments/celeba-deblur.yaml'));
    expect(e.stages.synthesis.randomize_noise).toBe(false);
    expect(e.stages.fusion.synthesis_checkpoint).toBe('final');
    expect(e.perceptual.allow_proxy).toBe(false);
    expect(loadExperiment(join(__dirname, '../../../../experiments/demo.yaml')).perceptual.allow_proxy).toBe(
      true,
    );
  });

  it('×8 SR: the pretrained RRDB×8 is the frozen restoration module; without the file a prior is made', () => {
    const file = join(__dirname, '../../../../experiments/celeba-sr8.yaml');
    const e = loadExperiment(file);
    expect(e.stages_to_run).toEqual(['synthesis', 'fusion']);
    expect(e.init.regression_weights).toMatch(/rrdbnet_x8_bicubic\.pth$/);
    expect(regressionIsFrozenRestoration(e)).toBe(true);
    expect(neededPriors(e)).toEqual(['pretrain-gan']);
    const without = loadExperiment(file, parseOverrides(['init.regression_weights=null']));
    expect(neededPriors(without)).toEqual(['pretrain-regression', 'pretrain-gan']);
    // A recipe that trains restoration keeps its own restoration stage.
    expect(
      regressionIsFrozenRestoration(
        loadExperiment(file, parseOverrides(['stages_to_run=["restoration","synthesis","fusion"]'])),
      ),
    ).toBe(false);
  });
});
