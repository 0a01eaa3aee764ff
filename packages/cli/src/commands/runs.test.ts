import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';

let dir: string;
let db: string;
let finishedId: string;
let failedId: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-cli-runs-'));
  db = join(dir, 'ugp.db');
  const store = openStore(db);
  const a = store.createRun({ name: 'deblur-a', experiment: 'celeba-deblur', seed: 1, backend: 'wasm' });
  store.startRun(a.id);
  store.logParams(a.id, { experiment: { validation: { metric: 'lpips', mode: 'min' } }, 'fusion.lr': 0.001 });
  for (const step of [100, 200, 300]) {
    store.logMetrics(a.id, 'fusion', step, { psnr: 20 + step / 100, lpips: 0.5 - step / 1000 });
    store.saveCheckpoint(
      {
        runId: a.id,
        stage: 'fusion',
        step,
        path: `runs/a/fusion-${step}.safetensors`,
        metrics: { psnr: step === 200 ? 30 : 20, lpips: 0.5 - step / 1000 },
      },
      { metric: 'lpips', mode: 'min' },
    );
  }
  store.updateRun(a.id, { stage: 'fusion' });
  store.endRun(a.id, 'finished');
  const b = store.createRun({ name: 'denoise-b', experiment: 'celeba-denoise' });
  store.startRun(b.id);
  store.logMetrics(b.id, 'restoration', 0, { loss: Number.NaN });
  store.endRun(b.id, 'failed', 'non-finite loss at step 0 (restoration)');
  finishedId = a.id;
  failedId = b.id;
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ugp runs', () => {
  it('list prints a table and filters; --json has the latest metrics', async () => {
    const table = await runUgp(['runs', 'list', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^id\s+name\s+experiment\s+status\s+stage\s+psnr\s+lpips/);
    expect(table.out).toMatch(
      new RegExp(
        `${finishedId.slice(0, 8)}\\s+deblur-a\\s+celeba-deblur\\s+finished\\s+fusion\\s+23\\s+0\\.2000`,
      ),
    );
    const failed = JSON.parse(
      (await runUgp(['runs', 'list', '--db', db, '--status', 'failed', '--json'])).out,
    );
    expect(failed.map((r: { id: string }) => r.id)).toEqual([failedId]);
    expect(failed[0].latestMetrics).toEqual([
      expect.objectContaining({ stage: 'restoration', key: 'loss', value: null }),
    ]);
    const byExperiment = JSON.parse(
      (await runUgp(['runs', 'list', '--db', db, '--experiment', 'celeba-deblur', '--json'])).out,
    );
    expect(byExperiment).toHaveLength(1);
    expect((await runUgp(['runs', 'list', '--db', db, '--status', 'done'])).code).toBe(1);
  });

  it('show finds a run by prefix and prints its metrics and checkpoints', async () => {
    const shown = await runUgp(['runs', 'show', finishedId.slice(0, 6), '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`run        ${finishedId}`);
    expect(shown.out).toMatch(/fusion\.lr = 0\.001/);
    expect(shown.out).toMatch(/fusion\s+psnr\s+23\s+300\s+21\s+23\s+3/);
    expect(shown.out).toMatch(/fusion\s+300\s+\*\s+psnr=20 lpips=0\.2000\s+runs\/a\/fusion-300\.safetensors/);
    const json = JSON.parse((await runUgp(['runs', 'show', failedId, '--db', db, '--json'])).out);
    expect(json.run).toMatchObject({ status: 'failed', failure: 'non-finite loss at step 0 (restoration)' });
    const missing = await runUgp(['runs', 'show', 'ffffffff', '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.errorLines[0]).toMatch(/no run with id 'ffffffff'/);
    const noStore = await runUgp(['runs', 'list', '--db', join(dir, 'nope.db')]);
    expect(noStore.code).toBe(1);
    expect(noStore.errorLines[0]).toMatch(/nope\.db does not exist/);
  });
});

describe('ugp best', () => {
  it("uses the run's own validation metric and mode unless told otherwise", async () => {
    const own = JSON.parse(
      (await runUgp(['best', '--run', finishedId, '--stage', 'fusion', '--db', db, '--json'])).out,
    );
    expect(own).toMatchObject({ step: 300, metric: 'lpips', mode: 'min', value: 0.2 });
    expect(own.resolvedPath).toBe(join(dir, 'runs/a/fusion-300.safetensors'));
    const psnr = JSON.parse(
      (
        await runUgp([
          'best',
          '--run',
          finishedId.slice(0, 8),
          '--stage',
          'fusion',
          '--metric',
          'psnr',
          '--db',
          db,
          '--json',
        ])
      ).out,
    );
    expect(psnr).toMatchObject({ step: 200, mode: 'max', value: 30 });
    const worst = JSON.parse(
      (
        await runUgp([
          'best',
          '--run',
          finishedId,
          '--stage',
          'fusion',
          '--metric',
          'psnr',
          '--mode',
          'min',
          '--db',
          db,
          '--json',
        ])
      ).out,
    );
    expect(worst.step).toBe(100);
    const text = await runUgp(['best', '--run', finishedId, '--stage', 'fusion', '--db', db]);
    expect(text.out).toBe(
      `fusion step 300: lpips=0.2 (min)\n${join(dir, 'runs/a/fusion-300.safetensors')}\n`,
    );
    const none = await runUgp(['best', '--run', finishedId, '--stage', 'synthesis', '--db', db]);
    expect(none.code).toBe(1);
    expect(none.errorLines[0]).toMatch(/no synthesis checkpoint .* \(stages with checkpoints: fusion\)/);
  });
});

describe('ugp db merge', () => {
  it('folds stores into one; a second merge adds nothing', async () => {
    const other = join(dir, 'other.db');
    const s = openStore(other);
    const run = s.createRun({ name: 'sr8', experiment: 'celeba-sr8' });
    s.logMetrics(run.id, 'restoration', 1, { psnr: 21 });
    s.close();
    const into = join(dir, 'merged.db');
    const first = JSON.parse((await runUgp(['db', 'merge', db, other, '--into', into, '--json'])).out);
    expect(first).toMatchObject({ runsAdded: 3, runsReplaced: 0, runsSkipped: 0 });
    const second = await runUgp(['db', 'merge', db, other, '--into', into]);
    expect(second.out).toMatch(/0 runs added, 0 replaced, 3 already up to date/);
    const listed = JSON.parse((await runUgp(['runs', 'list', '--db', into, '--json'])).out);
    expect(listed).toHaveLength(3);
    expect((await runUgp(['db', 'merge', into, '--into', into])).code).toBe(1);
  });
});
