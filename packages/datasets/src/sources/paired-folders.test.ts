import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadImageError } from '../bad-files.js';
import { writeFixture } from '../testing/fixtures.js';
import { openPairedFolders } from './paired-folders.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-paired-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('paired-folders source', () => {
  it('pairs gt/ and lq/ by file name, keeps pixels as stored, and reports unpaired or mis-sized files', async () => {
    for (let i = 0; i < 4; i++) {
      await writeFixture(join(dir, 'gt', `${i}.png`), 'png', 32, i);
      if (i !== 2) await writeFixture(join(dir, 'lq', `${i}.png`), 'png', 4, i);
    }
    await writeFixture(join(dir, 'gt', '9.png'), 'png', 32, 9);
    await writeFixture(join(dir, 'lq', '9.png'), 'png', 8, 9);
    const src = await openPairedFolders({ root: dir });
    expect([src.size, src.lqSize, src.length]).toEqual([32, 4, 4]);
    expect(src.badAtOpen).toEqual([
      { path: join(dir, 'gt', '2.png'), reason: `no lq counterpart in ${join(dir, 'lq')}` },
    ]);
    const item = await src.load(0);
    expect(item.lq!.width).toBe(4);
    expect(item.gt.width).toBe(32);
    const err = await src.load(3).catch((e) => e);
    expect(err).toBeInstanceOf(BadImageError);
    expect(err.reason).toMatch(/expected 4×4, got 8×8/);
    await expect(openPairedFolders({ root: join(dir, 'nowhere') })).rejects.toThrow(/is not a folder/);
  });
});
