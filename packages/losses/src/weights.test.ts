import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { initBackend, readSafetensors } from '@ugpnet/tensor';
import { describeGolden, runGolden } from '@ugpnet/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLpips, createPatchContextualLoss } from './feature-nets.js';
import { lpipsMetric } from './lpips.js';
import { goldenPath, goldenScalars, loadNhwc, loadNpy, maxAbsDiff } from './testing/golden.js';
import { fetchWeights, hasCachedWeights } from './weights.js';

let server: Server;
let base = '';
let dir = '';
/** What the local server answers for /lin.pth (switched to test checksum pinning). */
let served: Buffer = Buffer.alloc(0);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-weights-'));
  server = createServer((req, res) => {
    const file =
      req.url === '/lin.pth'
        ? served
        : runGolden
          ? readFileSync(goldenPath('lpips', 'vgg16_features_narrow.pth'))
          : Buffer.alloc(0);
    res.writeHead(200, { 'content-length': file.length }).end(file);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describeGolden('weights fetch / import on golden files', () => {
  it('imports the VGG19 of the contextual loss with --from (sliceK keys) and reproduces the golden loss', async () => {
    const result = await fetchWeights('vgg19', { dir, from: goldenPath('losses', 'vgg19_narrow.pth') });
    expect(result.action).toBe('imported');
    // The official file's sha256 starts with dcbb9e9d; the narrow golden trunk does not.
    expect(result.notes.join(' ')).toMatch(/does not start with the official dcbb9e9d/);
    const stored = readSafetensors(result.path);
    expect([...stored.tensors.keys()]).toContain('features.34.weight');
    expect(stored.metadata.sha256).toBe(result.sha256);
    const loss = createPatchContextualLoss({ weightsDir: dir, patchSize: 32, requirePretrained: true });
    expect(loss.kind).toBe('contextual');
    const x = loadNhwc('losses', 'pcx_x.npy') as tf.Tensor4D;
    const y = loadNhwc('losses', 'pcx_y.npy') as tf.Tensor4D;
    const v = loss.apply(x, y);
    const ref = goldenScalars('losses').patch_contextual_loss!;
    expect(Math.abs((await v.data())[0]! - ref)).toBeLessThan(1e-4 * ref + 1e-6);
    tf.dispose([x, y, v]);
    loss.dispose();
  });

  it('downloads LPIPS heads, records the first sha256 and rejects a different file later', async () => {
    served = readFileSync(goldenPath('lpips', 'lpips_lin.pth'));
    const first = await fetchWeights('lpips', { dir, url: `${base}/lin.pth` });
    expect(first.action).toBe('downloaded');
    expect(first.notes.join(' ')).toMatch(/recorded in checksums\.json/);
    const checksums = JSON.parse(readFileSync(join(dir, 'checksums.json'), 'utf8'));
    expect(checksums['lpips-vgg-v0.1.pth'].sha256).toBe(first.sha256);
    expect(existsSync(join(dir, 'lpips-vgg-v0.1.pth'))).toBe(false); // only the imported safetensors is kept
    // Cached: nothing to do.
    expect((await fetchWeights('lpips', { dir, url: `${base}/lin.pth` })).action).toBe('cached');
    // A changed file no longer matches the recorded checksum.
    served = Buffer.concat([served, Buffer.from([0])]);
    await expect(
      fetchWeights('lpips', { dir, url: `${base}/lin.pth`, force: true, retries: 0 }),
    ).rejects.toThrow(/checksum mismatch/);
  });

  it('refuses a VGG16 download whose sha256 lacks the official prefix; imports it with --from', async () => {
    await expect(fetchWeights('vgg16', { dir, url: `${base}/vgg16.pth`, retries: 0 })).rejects.toThrow(
      /expected 397923af/,
    );
    expect(hasCachedWeights('vgg16', dir)).toBe(false);
    await fetchWeights('vgg16', { dir, from: goldenPath('lpips', 'vgg16_features_narrow.pth') });
    const lpips = createLpips({ weightsDir: dir });
    expect(lpips.kind).toBe('lpips');
    const in0 = loadNhwc('lpips', 'in0.npy') as tf.Tensor4D;
    const in1 = loadNhwc('lpips', 'in1.npy') as tf.Tensor4D;
    const d = await lpipsMetric(lpips, in0, in1);
    expect(maxAbsDiff(d, loadNpy('lpips', 'distance.npy').data)).toBeLessThan(1.4e-4);
    tf.dispose([in0, in1]);
    lpips.dispose();
  });

  it('rejects files that are not the named weights', async () => {
    await expect(
      fetchWeights('lpips', { dir, from: goldenPath('losses', 'vgg19_narrow.pth') }),
    ).rejects.toThrow(/missing key lin0\.model\.1\.weight/);
    const bogus = join(dir, 'bogus.pth');
    writeFileSync(bogus, 'not a zip');
    await expect(fetchWeights('vgg16', { dir, from: bogus })).rejects.toBeInstanceOf(UserError);
    await expect(fetchWeights('vgg16', { dir, from: join(dir, 'nope.pth') })).rejects.toThrow(/no such file/);
  });
});
