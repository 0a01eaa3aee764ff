import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../image.js';
import { openChurches, openPortraits } from './procedural.js';

/** Mean squared difference between horizontal neighbours: how much fine detail there is. */
function detail(img: RgbImage): number {
  let e = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 1; x < img.width; x++)
      for (let c = 0; c < 3; c++)
        e += (img.data[(y * img.width + x) * 3 + c]! - img.data[(y * img.width + x - 1) * 3 + c]!) ** 2;
  return e / (img.height * (img.width - 1) * 3);
}

describe.each([
  ['portraits', openPortraits],
  ['churches', openChurches],
] as const)('procedural %s', (name, open) => {
  it('is deterministic per (seed, index), different across indices, seeds and splits', async () => {
    const a = await open({ seed: 1, size: 64 });
    const b = await open({ seed: 1, size: 64 });
    const c = await open({ seed: 2, size: 64 });
    const v = await open({ seed: 1, size: 64, split: 'val' });
    const first = await a.load(5);
    expect((await b.load(5)).gt.data).toEqual(first.gt.data);
    expect((await a.load(6)).gt.data).not.toEqual(first.gt.data);
    expect((await c.load(5)).gt.data).not.toEqual(first.gt.data);
    expect((await v.load(5)).gt.data).not.toEqual(first.gt.data);
    expect(first.path).toBe(`${name}/train/000005`);
    expect(v.length).toBe(1000);
  });

  it('renders 32 to 512 px with fine texture', async () => {
    const small = await (await open({ size: 32 })).load(0);
    expect([small.gt.width, small.gt.height]).toEqual([32, 32]);
    const big = await (await open({ size: 512 })).load(0);
    expect(big.gt.data.length).toBe(512 * 512 * 3);
    // neighbouring pixels differ noticeably (grain, strands, bricks), yet the image is not noise
    const d = detail(big.gt);
    expect(d).toBeGreaterThan(1e-4);
    expect(d).toBeLessThan(0.02);
    await expect(open({ size: 16 })).rejects.toThrow(/size must be in \[32, 512\]/);
  });
});
