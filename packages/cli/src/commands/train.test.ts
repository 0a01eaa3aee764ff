// End to end through the real binary: a training run killed with SIGKILL mid-stage resumes
// when the same command is run again, with no duplicate and no missing metric rows.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@ugpnet/store';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ugp.js', import.meta.url));

function ugp(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, UGP_BACKEND: 'wasm', UGP_THREADS: '1', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ugp train', () => {
  it('resumes a run killed with SIGKILL from its last checkpoint, rows intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-train-'));
    const db = join(dir, 'ugp.db');
    const experiment = join(dir, 'exp.json');
    writeFileSync(
      experiment,
      JSON.stringify({
        name: 'kill-test',
        arch: 'tiny-32',
        seed: 3,
        stages_to_run: ['restoration'],
        init: { regression: 'random', generator: 'random' },
        data: {
          dataset: 'portraits',
          size: 32,
          batch_size: 2,
          train_count: 40,
          val_count: 2,
          test_count: 2,
          degradation: { type: 'noise' },
        },
        perceptual: { allow_proxy: true, proxy_width_divisor: 8 },
        validation: { samples: 1 },
        stages: { restoration: { iterations: 40, val_every: 10, log_every: 2 } },
      }),
    );
    const first = ugp(['train', experiment, '--db', db]);
    let stderr = '';
    first.stderr!.on('data', (d) => {
      stderr += d;
    });
    const firstExit = exited(first);
    await waitFor(() => {
      try {
        const store = openStore(db, { readonly: true });
        const run = store.listRuns({ experiment: 'kill-test' })[0];
        const step = run ? (store.latestCheckpoint(run.id, 'restoration')?.step ?? 0) : 0;
        store.close();
        return step >= 10;
      } catch {
        return false;
      }
    }, 240_000).catch((err) => {
      throw new Error(`${err}\n${stderr}`);
    });
    first.kill('SIGKILL');
    expect(await firstExit).toBe(null);

    const second = ugp(['train', experiment, '--db', db]);
    let stderr2 = '';
    second.stderr!.on('data', (d) => {
      stderr2 += d;
    });
    expect(await exited(second), stderr2).toBe(0);
    expect(stderr2).toMatch(/resuming run/);

    const store = openStore(db, { readonly: true });
    const [run] = store.listRuns({ experiment: 'kill-test' });
    expect(run!.status).toBe('finished');
    expect(run!.attempts).toBeGreaterThanOrEqual(2);
    const losses = store
      .metricHistory(run!.id, { stage: 'restoration' })
      .filter((m) => m.key === 'loss/psnr');
    expect(losses.map((m) => m.step)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
    const validations = store
      .metricHistory(run!.id, { stage: 'restoration' })
      .filter((m) => m.key === 'psnr');
    expect(validations.map((m) => m.step)).toEqual([10, 20, 30, 40]);
    expect(store.listCheckpoints(run!.id, 'restoration').map((c) => c.step)).toEqual([10, 20, 30, 40]);
    store.close();
  }, 600_000);
});
