import { describe, expect, it } from 'vitest';
import { cellOverrides, expandGrid } from './expand.js';

describe('expandGrid', () => {
  const spec = {
    name: 'ablation',
    axes: { regression_init: ['pretrained', 'random'], generator_init: ['pretrained', 'random'] },
    seeds: [1, 2, 3],
  };

  it('expands axes into the cartesian product, first axis slowest and seeds fastest', () => {
    const cells = expandGrid(spec);
    expect(cells).toHaveLength(12);
    expect(cells.map((c) => c.index)).toEqual([...Array(12).keys()]);
    expect(cells[0]).toMatchObject({
      name: 'regression_init=pretrained,generator_init=pretrained,seed=1',
      params: { regression_init: 'pretrained', generator_init: 'pretrained', seed: 1 },
      seed: 1,
    });
    expect(cells[4]!.name).toBe('regression_init=pretrained,generator_init=random,seed=2');
    expect(cells[11]!.name).toBe('regression_init=random,generator_init=random,seed=3');
    expect(new Set(cells.map((c) => c.id)).size).toBe(12);
    expect(cells[0]!.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('ids depend only on a cell’s values: reordered or extended axes keep them', () => {
    const ids = new Map(expandGrid(spec).map((c) => [c.name, c.id]));
    const reordered = expandGrid({
      name: 'ablation',
      axes: { generator_init: ['random', 'pretrained'], regression_init: ['random', 'pretrained'] },
      seeds: [3, 2, 1, 4],
    });
    expect(reordered).toHaveLength(16);
    const original = expandGrid(spec);
    for (const cell of original) {
      const same = reordered.find(
        (c) =>
          JSON.stringify(Object.entries(c.params).sort()) ===
          JSON.stringify(Object.entries(cell.params).sort()),
      );
      expect(same?.id).toBe(ids.get(cell.name));
    }
  });

  it('formats non-string values as JSON and leaves seed null without a seed axis', () => {
    const cells = expandGrid({ name: 'g', axes: { 'fusion.lr': [0.001, 0.0001], ema: [true, null] } });
    expect(cells.map((c) => c.name)).toEqual([
      'fusion.lr=0.001,ema=true',
      'fusion.lr=0.001,ema=null',
      'fusion.lr=0.0001,ema=true',
      'fusion.lr=0.0001,ema=null',
    ]);
    expect(cells.every((c) => c.seed === null)).toBe(true);
  });

  it('turns dotted axis names into nested experiment overrides', () => {
    expect(cellOverrides({ 'init.regression': 'random', 'init.generator': 'pretrained', seed: 2 })).toEqual({
      init: { regression: 'random', generator: 'pretrained' },
      seed: 2,
    });
  });
});
