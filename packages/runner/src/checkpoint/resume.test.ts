import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { initBackend } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { executeRun } from '../run.js';
import { createTrackedRun } from '../session.js';
import { tinyRestorationExperiment } from '../testing/tiny-experiment.js';

let dir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-resume-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Checkpoints at iterations 2, 4 and 6. */
const experiment = () =>
  tinyRestorationExperiment({
    name: 'resume-fallback',
    seed: 4,
    iterations: 6,
    valEvery: 2,
    generator: 'random',
    validationSamples: 0,
  });

describe('resume (issue 13 §6)', () => {
  it('falls back to the newest checkpoint that verifies when the last one is truncated, and says so', async () => {
    const store = openStore(join(dir, 'resume.db'));
    const exp = experiment();
    const run = createTrackedRun(store, exp, { backend: 'wasm', name: 'truncated last checkpoint' });
    // Interrupted once iteration 4 is checkpointed.
    const stopAt4 = () => store.getCheckpoint(run.id, 'restoration', 4) !== undefined;
    expect(await executeRun({ store, experiment: exp, runId: run.id, shouldStop: stopAt4 })).toBe('killed');
    const last = store.resolvePath(store.latestCheckpoint(run.id, 'restoration')!.path);
    expect(last).toMatch(/restoration-0000004\.safetensors$/);
    truncateSync(last, Math.floor(readFileSync(last).length / 2));

    const lines: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((...args) => lines.push(args.join(' ')));
    try {
      expect(await executeRun({ store, experiment: exp, runId: run.id })).toBe('finished');
    } finally {
      error.mockRestore();
    }
    const said = lines.filter((l) => l.startsWith('[resume]'));
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(`^\\[resume\\] restoration: checkpoint of iteration 4 is unusable: ${last}: .*truncated`),
      ),
      expect.stringMatching(/^\[resume\] restoration: resuming from iteration 2 \(.*restoration-0000002/),
    ]);
    expect(store.getRun(run.id)?.status).toBe('finished');
    expect(store.listCheckpoints(run.id, 'restoration').map((c) => c.step)).toEqual([2, 4, 6]);
    // Iteration 4 was trained again and its checkpoint rewritten whole.
    const steps = store.metricHistory(run.id, { stage: 'restoration' }).map((m) => m.step);
    expect(Math.max(...steps)).toBe(6);
    expect(readFileSync(last).length).toBeGreaterThan(1000);
    store.close();
  });
});
