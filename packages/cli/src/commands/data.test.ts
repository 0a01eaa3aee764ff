import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-cli-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ugp data', () => {
  it('synth writes paired lq/ and gt/ PNG folders', async () => {
    const out = join(dir, 'church-sr8');
    const r = await runUgp([
      'data',
      'synth',
      '--dataset',
      'churches',
      '--degradation',
      'sr8',
      '--count',
      '3',
      '--size',
      '64',
      '--workers',
      '0',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect([result.count, result.gtSize, result.lqSize]).toEqual([3, 64, 8]);
    expect(readdirSync(join(out, 'lq'))).toHaveLength(3);
    expect(readdirSync(join(out, 'gt'))).toEqual(readdirSync(join(out, 'lq')));
  });

  it('preview writes a contact sheet', async () => {
    const out = join(dir, 'sheet.png');
    const r = await runUgp([
      'data',
      'preview',
      '--dataset',
      'portraits',
      '--degradation',
      'noise',
      '--size',
      '32',
      '--count',
      '2',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('gt | lq noise');
    expect(readdirSync(dir)).toContain('sheet.png');
  });

  it('a bad --dataset is a one-line user error (exit 1)', async () => {
    const r = await runUgp([
      'data',
      'synth',
      '--dataset',
      join(dir, 'nope'),
      '--degradation',
      'blur',
      '--count',
      '1',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/neither a known dataset/);
  });
});
