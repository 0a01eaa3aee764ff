// `ugp demo --seeds N`: the grid spec it queues and the table with a mean ± std row per cell.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DemoRow, demoGridSpec, formatDemoTable } from './demo.js';

const GRID = fileURLToPath(new URL('../../../experiments/demo-quick-ablation.yaml', import.meta.url));

function row(regression: string, generator: string, seed: number, psnr: number): DemoRow {
  return {
    runId: `${regression}-${generator}-${seed}`,
    cell: '',
    params: { 'init.regression': regression, 'init.generator': generator, seed },
    status: 'finished',
    metrics: { 'I_F/psnr': psnr, 'I_F/ssim': 0.5, 'I_F/lpips_proxy': 0.25 },
  };
}

describe('demoGridSpec', () => {
  it('keeps the file’s seeds for 1 and sweeps N consecutive seeds from the first otherwise', () => {
    expect(demoGridSpec(GRID).seeds).toEqual([1]);
    const three = demoGridSpec(GRID, 3);
    expect(three.seeds).toEqual([1, 2, 3]);
    expect(three.name).toBe('demo-quick-ablation');
    expect(three.axes).toEqual(demoGridSpec(GRID).axes);
  });

  it('refuses a seed count that is not a whole number >= 1, naming the flag', () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => demoGridSpec(GRID, bad)).toThrow(/--seeds must be a whole number >= 1/);
  });
});

describe('formatDemoTable', () => {
  it('has no seed column for one seed', () => {
    const table = formatDemoTable([row('random', 'random', 1, 20)]);
    expect(table.split('\n')[0]).not.toMatch(/seed/);
    expect(table).not.toMatch(/mean±std/);
  });

  it('lists each seed and a mean ± (sample) std row per cell', () => {
    const table = formatDemoTable([
      row('pretrained', 'pretrained', 2, 24),
      row('random', 'random', 1, 20),
      row('pretrained', 'pretrained', 1, 22),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^regression\s+generator\s+seed\s+status/);
    const body = lines.slice(2);
    expect(body.map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'pretrained pretrained 1',
      'pretrained pretrained 2',
      'pretrained pretrained mean±std',
      'random random 1',
      'random random mean±std',
    ]);
    // (22, 24): mean 23, sample std √2.
    expect(body[2]).toMatch(/n=2\s+23\.00±1\.41/);
    expect(body[4]).toMatch(/n=1\s+20\.00±0\.00/);
  });
});
