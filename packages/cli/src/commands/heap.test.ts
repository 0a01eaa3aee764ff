// Configurations too big for the wasm heap, through the real binary: a step that does not fit exits 1
// saying what it needed, the limit and what to do (here with the limit lowered, so that tiny-32 is
// "too big" in seconds); `ugp train --smoke` checks every stage in a throw-away store and reports
// the memory each needs at the configured batch.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ugp.js', import.meta.url));

function ugp(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, UGP_BACKEND: 'wasm', UGP_THREADS: '1', CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('wasm heap', () => {
  it('a step that does not fit the heap exits 1 with what it needed, the limit and what to do', async () => {
    const result = await ugp(
      [
        'bench',
        'step',
        '--arch',
        'tiny-32',
        '--stage',
        'restoration',
        '--batch',
        '1',
        '--repeats',
        '1',
        '--warmup',
        '0',
      ],
      { UGP_WASM_HEAP_LIMIT_MB: '60' },
    );
    expect(result.code, result.stderr).toBe(1);
    const errors = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('error') || l.includes('internal error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: the wasm heap is full: this needs more than [\d.]+ GiB .*limit of 0\.06 GiB; use a smaller batch .*--backend node or node-gpu/,
    );
    expect(result.stdout).toBe('');
  }, 120_000);

  it('a training run that outgrows the heap fails with that reason (exit 1), its store intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-heap-test-'));
    const experiment = join(dir, 'exp.json');
    writeFileSync(
      experiment,
      JSON.stringify({
        name: 'heap-test',
        arch: 'tiny-32',
        stages_to_run: ['restoration'],
        init: { regression: 'random', generator: 'random' },
        data: {
          dataset: 'portraits',
          size: 32,
          batch_size: 16,
          train_count: 16,
          val_count: 2,
          test_count: 2,
        },
        perceptual: { proxy_width_divisor: 8, allow_proxy: true },
        stages: { restoration: { iterations: 2 } },
      }),
    );
    const db = join(dir, 'ugp.db');
    const result = await ugp(['train', experiment, '--db', db], { UGP_WASM_HEAP_LIMIT_MB: '20' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /^error: the wasm heap is full: this needs more than .*limit of 0\.02 GiB/m,
    );
    expect(result.stderr).not.toMatch(/internal error|Aborted/);
    const { openStore } = await import('@ugpnet/store');
    const store = openStore(db, { readonly: true });
    const [run] = store.listRuns({ experiment: 'heap-test' });
    expect(run!.status).toBe('failed');
    expect(run!.failure).toMatch(/wasm heap is full/);
    store.close();
  }, 120_000);

  it('train --smoke runs every stage twice in a throw-away store and reports memory per stage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-smoke-test-'));
    const experiment = join(dir, 'exp.json');
    writeFileSync(
      experiment,
      JSON.stringify({
        name: 'smoke-test',
        arch: 'tiny-32',
        init: { regression: 'random', generator: 'random' },
        data: { dataset: 'portraits', size: 32, batch_size: 4, degradation: { type: 'noise' } },
        perceptual: { proxy_width_divisor: 8, allow_proxy: true },
      }),
    );
    const db = join(dir, 'user.db');
    const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('ugp-smoke-')));
    const result = await ugp(['train', experiment, '--smoke', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    for (const stage of ['restoration', 'synthesis', 'fusion']) {
      expect(result.stdout).toMatch(
        new RegExp(
          `^${stage}: \\d+ MB of tensors at batch 1 .* about \\d+ MB at batch 4 \\(wasm heap limit 4096 MB\\): fits$`,
          'm',
        ),
      );
      expect(result.stderr).toMatch(new RegExp(`stage ${stage}`));
    }
    expect(result.stdout).toMatch(/smoke run finished/);
    // Two iterations with a validation each: the loop logged iteration 2's validation.
    expect(result.stderr).toMatch(/restoration 2\/2 validation/);
    // Nothing in the user's store, nothing left in the temporary folder.
    expect(existsSync(db)).toBe(false);
    const after = readdirSync(tmpdir()).filter((f) => f.startsWith('ugp-smoke-') && !before.has(f));
    expect(after).toEqual([]);
  }, 300_000);
});
