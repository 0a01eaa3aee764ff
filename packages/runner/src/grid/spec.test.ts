import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gridExperimentFile, readGridSpec, validateGridSpec } from './spec.js';

describe('grid spec', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-grid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads YAML and JSON and resolves extends next to the grid file', () => {
    const yaml = join(dir, 'ablation.yaml');
    writeFileSync(
      yaml,
      'name: ablation-init\nextends: celeba-denoise.yaml\naxes:\n  init.regression: [pretrained, random]\nseeds: [1, 2]\n',
    );
    const spec = readGridSpec(yaml);
    expect(spec).toEqual({
      name: 'ablation-init',
      extends: 'celeba-denoise.yaml',
      axes: { 'init.regression': ['pretrained', 'random'] },
      seeds: [1, 2],
    });
    expect(gridExperimentFile(spec, yaml)).toBe(join(dir, 'celeba-denoise.yaml'));
    const json = join(dir, 'g.json');
    writeFileSync(json, JSON.stringify({ name: 'g', axes: { lr: [0.1, 0.2] } }));
    expect(readGridSpec(json).axes).toEqual({ lr: [0.1, 0.2] });
    expect(gridExperimentFile(readGridSpec(json), json)).toBeUndefined();
  });

  it('rejects bad specs with the file and field named', () => {
    const bad: [unknown, RegExp][] = [
      [{ axes: { a: [1] } }, /g\.yaml: invalid grid spec — name/],
      [{ name: 'has space', axes: { a: [1] } }, /name: expected letters/],
      [{ name: 'g', axes: { a: [] } }, /axes\.a: an axis needs at least one value/],
      [{ name: 'g', axes: { a: [{ x: 1 }] } }, /axes\.a\.0/],
      [{ name: 'g', axes: { a: [1] }, iterations: 5 }, /iterations|Unrecognized/],
      [{ name: 'g', axis: { a: [1] } }, /axis: unknown key; did you mean axes\?/],
      [{ name: 'g' }, /at least one axis or 'seeds'/],
      [{ name: 'g', axes: { seed: [1] }, seeds: [2] }, /either as 'seeds' or as an axis 'seed'/],
      [{ name: 'g', axes: { a: ['x', 'x'] } }, /axis 'a' lists "x" twice/],
      [{ name: 'g', seeds: [1.5] }, /seeds\.0/],
    ];
    for (const [raw, message] of bad)
      expect(() => validateGridSpec(raw, 'g.yaml'), JSON.stringify(raw)).toThrow(message);
    expect(() => readGridSpec(join(dir, 'missing.yaml'))).toThrow(/does not exist/);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => readGridSpec(join(dir, 'broken.json'))).toThrow(/does not parse/);
  });
});
