import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
