import { initBackend } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCH_PRESETS } from '../config/arch.js';
import { summarizeUgpNet } from './ugpnet-summary.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('UGPNet summary', () => {
  it.each(['tiny-32', 'demo-64'])('%s: shapes derived from the config equal the forward pass', (name) => {
    const arch = ARCH_PRESETS[name]!;
    const measured = summarizeUgpNet(arch, { forward: true });
    const derived = summarizeUgpNet(arch, { forward: false });
    expect(measured.shapesFrom).toBe('forward');
    expect(derived.shapesFrom).toBe('config');
    expect(derived.shapes).toEqual(measured.shapes);
    expect(derived.modules).toEqual(measured.modules);
    const s = arch.image_size;
    const byName = new Map(measured.shapes.map((t) => [t.name, t.shape]));
    expect(byName.get('I_F')).toEqual([1, 3, s, s]);
    expect(byName.get('F_G')).toEqual([1, arch.fusion.chan, s, s]);
    expect(byName.get('detailcode')).toEqual([1, arch.wmodule.wpdim, arch.wmodule.out_c]);
    // UGPNet's parameters are the module rows minus the discriminator.
    const rows = measured.modules.filter((m) => m.module !== 'discriminator');
    expect(rows.reduce((n, m) => n + m.parameters, 0)).toBe(measured.ugpnetParameters);
  });

  it('counts the official FusionNet and ResidualEncoder exactly (hand-computed from the reference)', () => {
    // conv 3×3 c→k with bias: 9ck + k.
    const conv = (c: number, k: number) => 9 * c * k + k;
    const arch = { ...ARCH_PRESETS['tiny-32']!, fusion: { num_block: 8, chan: 32, num_feat: 8 } };
    const fusion = summarizeUgpNet(arch, { forward: false }).modules.find((m) => m.module === 'fusmodule')!;
    expect(fusion.parameters).toBe(conv(32, 8) + 16 * conv(8, 8) + conv(8, 3));
    // ResidualEncoder(chan 4, num_feat 8): ConvBlock(3→4), ConvBlock(4→8), ConvBlock(8→8), ToImage(8).
    const encoder = summarizeUgpNet(ARCH_PRESETS['tiny-32']!, { forward: false }).modules.find(
      (m) => m.module === 'resmodule.encoder',
    )!;
    const block = (c: number, k: number) => conv(c, k) + 2 * conv(k, k);
    expect(encoder.parameters).toBe(block(3, 4) + block(4, 8) + block(8, 8) + conv(8, 3));
  });
});
