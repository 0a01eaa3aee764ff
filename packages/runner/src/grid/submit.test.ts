import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { openStore } from '@ugpnet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueGrid } from './queue.js';
import type { GridSpec } from './spec.js';
import { arraySpec, type SlurmCommand, submitGrid } from './submit.js';
import { fakeCell } from './test-support/fake-cell.js';
import { runWorker } from './worker.js';

// What submitGrid asks of Slurm, without Slurm (grid-slurm.test.ts in the cli runs the real one).
function fakeSlurm(queue: string[] = []) {
  const calls: string[][] = [];
  let next = 100;
  const slurm: SlurmCommand = (command, args) => {
    calls.push([command, ...args]);
    return command === 'squeue' ? queue.map((q) => `${q}\n`).join('') : `${next++};cluster\n`;
  };
  return { slurm, sbatch: () => calls.filter((c) => c[0] === 'sbatch').map((c) => c.slice(1)) };
}

const spec: GridSpec = { name: 'g', axes: { fail: [false, true] }, seeds: [1, 2] };

describe('submitGrid', () => {
  let dir: string;
  let storeDir: string;
  let db: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-submit-'));
    storeDir = join(dir, 'slurm', 'g');
    db = join(dir, 'ugp.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const submit = (slurm: SlurmCommand, retryFailed = false) =>
    submitGrid({ spec, specPath: join(dir, 'g.json'), specFile: 'g.json', db, storeDir, slurm, retryFailed });

  it('submits the array then the merge after it, no priors job when no prior is needed', () => {
    const fake = fakeSlurm();
    const result = submit(fake.slurm);
    expect(result.jobs).toEqual({ cells: '100', merge: '101' });
    expect(fake.sbatch()).toEqual([
      ['--parsable', '--array=0-3', join(storeDir, 'cells.sbatch')],
      ['--parsable', '--dependency=afterany:100', join(storeDir, 'merge.sbatch')],
    ]);
    expect(existsSync(join(storeDir, 'logs'))).toBe(true);
    expect(readFileSync(join(storeDir, 'priors.sbatch'), 'utf8')).toContain('grid priors g.json');
  });

  it('re-submitting skips finished cells, retries failed ones only with retryFailed, and merges when all is done', async () => {
    // Cells 0..3 ran as array tasks, each in its own store: fail=true cells (2, 3) failed.
    for (const index of [0, 1, 2, 3]) {
      const store = openStore(join(storeDir, `cell-${index}.db`));
      const { cells } = queueGrid(store, spec, { only: [index] });
      await runWorker({ store, gridId: 'g', runCell: fakeCell(5, 0), log: () => {} });
      expect(store.listRuns()[0]?.status).toBe(cells[0]!.params.fail ? 'failed' : 'finished');
      store.close();
    }
    const nothing = submit(fakeSlurm().slurm);
    expect(nothing).toMatchObject({
      cells: [],
      jobs: {},
      skipped: { finished: 2, failed: 2 },
      mergedHere: true,
    });
    const merged = openStore(db, { readonly: true });
    expect(
      merged
        .listRuns({ gridId: 'g' })
        .map((r) => r.status)
        .sort(),
    ).toEqual(['failed', 'failed', 'finished', 'finished']);
    merged.close();

    const fake = fakeSlurm();
    expect(submit(fake.slurm, true).cells).toEqual([2, 3]);
    expect(fake.sbatch()[0]).toEqual([
      '--parsable',
      '--array=2-3',
      '--export=ALL,UGP_RETRY_FAILED=1',
      join(storeDir, 'cells.sbatch'),
    ]);
  });

  it('refuses while the grid still has jobs in the queue', () => {
    expect(() => submit(fakeSlurm(['101 ugp-g-cells RUNNING']).slurm)).toThrow(UserError);
    expect(() => submit(fakeSlurm(['101 ugp-g-cells RUNNING']).slurm)).toThrow(/still has jobs in Slurm/);
  });

  it('writes array ranges compactly', () => {
    expect(arraySpec([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(arraySpec([3])).toBe('3');
  });
});
