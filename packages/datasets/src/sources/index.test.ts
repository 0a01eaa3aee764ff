import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '@ugpnet/core';
import { createDegradation, degradations } from '../degradations/index.js';
import { writeLmdb } from './lmdb-writer.js';
import { openSource, resolveDataset, sources } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('registries', () => {
  it('refuse duplicate names and list the known ones for an unknown name', () => {
    const r = new Registry<number>('thing').register('a', 1);
    expect(() => r.register('a', 2)).toThrow(/registered twice/);
    expect(() => r.get('b', '--thing')).toThrow("--thing: unknown thing 'b' (known: a)");
    expect(sources.names()).toEqual(['portraits', 'churches', 'image-folder', 'lsun-lmdb', 'paired-folders']);
    expect(degradations.names()).toEqual(['none', 'noise', 'blur', 'sr8']);
  });

  it('validate option names', async () => {
    await expect(createDegradation({ type: 'noise', sigmaa: 1 })).rejects.toThrow(
      /'noise' has no option 'sigmaa'/,
    );
    expect((await createDegradation({ type: 'sr8' })).lqSize(512)).toBe(64);
    await expect(openSource({ type: 'portraits', root: '/x' })).rejects.toThrow(
      /'portraits' has no option 'root'/,
    );
  });

  it('--dataset resolves names and recognises folder layouts', () => {
    mkdirSync(join(dir, 'pairs', 'gt'), { recursive: true });
    mkdirSync(join(dir, 'pairs', 'lq'), { recursive: true });
    mkdirSync(join(dir, 'imgs'), { recursive: true });
    writeLmdb(join(dir, 'lsun'), [['a', Buffer.from('x')]]);
    expect(resolveDataset('churches', { size: 64 })).toEqual({ type: 'churches', size: 64 });
    expect(resolveDataset(join(dir, 'lsun'), { size: 64, seed: 3 })).toEqual({
      type: 'lsun-lmdb',
      root: join(dir, 'lsun'),
      size: 64,
      split: 'all',
    });
    expect(resolveDataset(join(dir, 'imgs'), { split: 'val' }).split).toBe('val');
    expect(resolveDataset(join(dir, 'lsun', 'data.mdb')).type).toBe('lsun-lmdb');
    expect(resolveDataset(join(dir, 'pairs')).type).toBe('paired-folders');
    expect(resolveDataset(join(dir, 'imgs')).type).toBe('image-folder');
    expect(() => resolveDataset('celebahq')).toThrow(/neither a known dataset \(portraits, churches/);
  });
});
