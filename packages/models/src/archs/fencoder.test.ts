import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fencoder, fencoderBlocks } from './fencoder.js';
import { Wmodule } from './wmodule.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('Fencoder', () => {
  it('follows the reference channel table for the official configs', () => {
    // Faces: 512 → 16, six blocks; w_input is block 4's 128-channel 32×32 output.
    expect(fencoderBlocks({ spatial_size: 16, encoder_input_size: 512 })).toEqual([
      [3, 16, true],
      [16, 32, true],
      [32, 64, true],
      [64, 128, true],
      [128, 256, true],
      [256, 512, false],
    ]);
    // Church: 256 → 16, five blocks, 512-channel basecode.
    expect(fencoderBlocks({ spatial_size: 16, encoder_input_size: 256 }).map((b) => b[1])).toEqual([
      32, 64, 128, 256, 512,
    ]);
    // narrow scales the table (CPU presets).
    expect(fencoderBlocks({ spatial_size: 16, encoder_input_size: 64, narrow: 0.25 })).toEqual([
      [3, 32, true],
      [32, 64, true],
      [64, 128, false],
    ]);
    expect(() => fencoderBlocks({ spatial_size: 16, encoder_input_size: 48 })).toThrow(UserError);
  });

  it('returns the basecode and the last 32×32 block output, with official keys', () => {
    const e = new Fencoder({ spatial_size: 16, encoder_input_size: 64, narrow: 1 / 16 }, new Rng(1));
    const keys = e.namedEntries().map(([k]) => k);
    expect(keys).toContain('downblocks.2.bn.1.running_var');
    expect(keys).toContain('conv1x1.weight');
    const x = tf.zeros([2, 64, 64, 3]) as tf.Tensor4D;
    const { basecode, wInput } = e.apply(x);
    expect(basecode.shape).toEqual([2, 16, 16, 32]);
    expect(wInput.shape).toEqual([2, 32, 32, 8]); // block 0 (64 → 32, 128·narrow channels)
    expect(() => e.apply(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D)).toThrow(/w_input_size/);
    tf.dispose([x, basecode, wInput]);
    e.dispose();
  });
});

describe('Wmodule', () => {
  it('gives [head0]×5 then heads 1… as the w+ latent (faces: wpdim 16, 12 heads)', () => {
    const w = new Wmodule({ in_c: 8, out_c: 4, wpdim: 16, spatial_size: 32 }, new Rng(2));
    expect(w.linear.length).toBe(12);
    const keys = w.namedEntries().map(([k]) => k);
    expect(keys).toContain('linear.4.bias');
    expect(keys.filter((k) => k.startsWith('convs.')).map((k) => k.split('.')[1])).toEqual([
      '0',
      '0',
      '2',
      '2',
      '4',
      '4',
      '6',
      '6',
      '8',
      '8',
    ]);
    const x = tf.tensor4d(new Rng(3).normalArray(2 * 32 * 32 * 8), [2, 32, 32, 8]);
    const latent = w.apply(x);
    expect(latent.shape).toEqual([2, 16, 4]);
    const rows = tf.unstack(latent, 1);
    for (let i = 1; i < 5; i++)
      expect(Array.from(rows[i]!.dataSync())).toEqual(Array.from(rows[0]!.dataSync()));
    expect(Array.from(rows[5]!.dataSync())).not.toEqual(Array.from(rows[0]!.dataSync()));
    tf.dispose([x, latent, rows]);
    w.dispose();
  });
});
