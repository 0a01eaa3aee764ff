// Auto selection and the node backends, on whatever this machine has: with or without
// tfjs-node / tfjs-node-gpu, with or without a GPU (the README's set-ups). Own file, own
// process: initBackend chooses once per process, so the order of these tests matters.
import { UserError } from '@ugpnet/core';
import { describe, expect, it } from 'vitest';
import { activeBackend, BACKEND_NAMES, BackendUnavailableError, initBackend } from './backend.js';

let nodeGpuStarted = false;

describe('backend selection (auto)', () => {
  it('node-gpu asked for either starts or is refused with a UserError saying why', async () => {
    const outcome = await initBackend({ backend: 'node-gpu', log: null }).then(
      (info) => info,
      (err: unknown) => err,
    );
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(BackendUnavailableError);
      expect(outcome).toBeInstanceOf(UserError);
      expect(outcome.message).toMatch(/^backend 'node-gpu' is not available: \S/);
      expect(activeBackend()).toBeUndefined();
    } else {
      nodeGpuStarted = true;
      expect(outcome).toMatchObject({ name: 'node-gpu', reason: 'requested' });
      expect(activeBackend()).toEqual(outcome);
    }
  });

  it('auto takes the first backend that starts and says why it skipped each one before it', async () => {
    const lines: string[] = [];
    const info = await initBackend({ backend: 'auto', log: (line) => lines.push(line) });
    expect(activeBackend()).toEqual(info);
    if (nodeGpuStarted) {
      expect(info.name).toBe('node-gpu'); // chosen already; auto keeps it
      return;
    }
    const before = BACKEND_NAMES.slice(0, BACKEND_NAMES.indexOf(info.name));
    for (const name of before) expect(info.reason).toContain(`${name}: `);
    expect(info.reason).toMatch(before.length ? /^auto; skipped / : /^auto; first choice$/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^\\[ugp\\] backend ${info.name} \\(\\d+ threads?\\): auto`)),
    ]);
  });
});
