// A command line yargs rejects runs nothing: one error line, exit 1, no store or run written.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runUgp } from './testing/run-ugp.js';

let dir: string;
let experiment: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-parse-'));
  experiment = join(dir, 'exp.json');
  writeFileSync(
    experiment,
    JSON.stringify({
      name: 'parse-test',
      arch: 'tiny-32',
      stages_to_run: ['restoration'],
      init: { regression: 'random', generator: 'random' },
      data: { dataset: 'portraits', size: 32, batch_size: 2, train_count: 4, val_count: 2, test_count: 2 },
      stages: { restoration: { iterations: 2 } },
    }),
  );
});

async function expectRejected(args: string[], pattern: RegExp) {
  const result = await runUgp(args);
  expect(result.code).toBe(1);
  expect(result.errorLines).toHaveLength(1);
  expect(result.errorLines[0]).toMatch(pattern);
  expect(result.out).toBe('');
  return result;
}

describe('parse errors', () => {
  it('an unknown train flag trains nothing and writes no store', async () => {
    const db = join(dir, 'typo.db');
    await expectRejected(['train', experiment, '--iteratons', '3', '--db', db], /Unknown argument: iteratons/);
    expect(existsSync(db)).toBe(false);
  });

  it('an unknown bench flag runs no benchmark', async () => {
    await expectRejected(['bench', 'kernels', '--nosuchflag'], /Unknown argument: nosuchflag/);
  });

  it('weights fetch of an unknown name lists the known ones', async () => {
    const cache = join(dir, 'cache');
    await expectRejected(
      ['weights', 'fetch', 'nosuchnet', '--cache', cache],
      /nosuchnet.*lpips.*vgg16.*vgg19/,
    );
    expect(existsSync(cache)).toBe(false);
  });

  it('train without an experiment is one error', async () => {
    await expectRejected(['train'], /not enough non-option arguments/i);
  });

  it('train --set arch=<unknown preset> fails before a run or store exists', async () => {
    const db = join(dir, 'arch.db');
    await expectRejected(['train', experiment, '--set', 'arch=no-such-preset', '--db', db], /no-such-preset/);
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.db'))).toEqual([]);
  });
});
