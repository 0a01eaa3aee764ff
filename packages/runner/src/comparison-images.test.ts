import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openStore } from '@ugpnet/store';
import { initBackend } from '@ugpnet/tensor';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTestImages, TEST_IMAGES_KIND } from './comparison-images.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-test-images-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** n images of h×w whose every pixel is `value` (so each column is recognisable on disk). */
const filled = (n: number, h: number, w: number, value: number) =>
  tf.fill([n, h, w, 3], value) as tf.Tensor4D;

describe('saveTestImages', () => {
  it('writes LQ | I_R | I_G | I_F | GT of the first test images and files them under each stage at its best step', async () => {
    const store = openStore(join(dir, 'ugp.db'));
    const run = store.createRun({ name: 'r', experiment: 'e' });
    const best = { restoration: 20, synthesis: 30, fusion: 10 };
    for (const [stage, step] of Object.entries(best)) {
      for (const s of [10, 20, 30]) {
        store.saveCheckpoint(
          { runId: run.id, stage, step: s, path: `c/${stage}-${s}`, metrics: { psnr: s === step ? 30 : 20 } },
          { metric: 'psnr', mode: 'max' },
        );
      }
    }
    // SR-shaped: LQ at half size, outputs and GT at 8×8; six test images, four kept.
    const batch = { lq: filled(6, 4, 4, 0.2), gt: filled(6, 8, 8, 1) };
    const outputs = { I_R: filled(6, 8, 8, 0.4), I_G: filled(6, 8, 8, 0.6), I_F: filled(6, 8, 8, 0.8) };
    const before = tf.memory().numTensors;
    const written = await saveTestImages({
      store,
      runId: run.id,
      dir: join(dir, 'artifacts'),
      batch,
      outputs,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(written).toBe(4 * 5);

    const artifacts = store.listArtifacts(run.id, { kind: TEST_IMAGES_KIND });
    const byStage = (stage: string) => artifacts.filter((a) => a.stage === stage);
    for (const [stage, step] of Object.entries(best)) {
      expect(new Set(byStage(stage).map((a) => a.step))).toEqual(new Set([step]));
    }
    const names = (stage: string) => byStage(stage).map((a) => basename(a.path));
    expect(names('restoration')).toHaveLength(4 * 3);
    expect(names('restoration').some((n) => n.includes('I_G') || n.includes('I_F'))).toBe(false);
    expect(names('synthesis')).toHaveLength(4 * 4);
    expect(names('synthesis').some((n) => n.includes('I_F'))).toBe(false);
    expect(names('fusion').sort()).toEqual(
      [0, 1, 2, 3].flatMap((i) => ['GT', 'I_F', 'I_G', 'I_R', 'LQ'].map((c) => `test-0${i}-${c}.png`)),
    );

    // Every column at the output size (LQ upscaled), with its own pixel value.
    for (const [column, value] of [
      ['LQ', 51],
      ['I_R', 102],
      ['I_G', 153],
      ['I_F', 204],
      ['GT', 255],
    ] as const) {
      const file = store.resolvePath(
        byStage('fusion').find((a) => a.path.endsWith(`test-02-${column}.png`))!.path,
      );
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([8, 8, 3]);
      expect(new Set(data)).toEqual(new Set([value]));
    }
    tf.dispose([batch.lq, batch.gt, ...Object.values(outputs)]);
    store.close();
  });
});
