// Backend selection with an explicit wasm choice, which holds wherever the README's set-up
// succeeds (with or without tfjs-node / tfjs-node-gpu and a GPU); auto selection and the node
// backends are in backend-auto.test.ts (its own process: initBackend chooses once per process).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeBackend, initBackend, parseBackendName } from './backend.js';

const savedEnv = process.env.UGP_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.UGP_BACKEND;
  else process.env.UGP_BACKEND = savedEnv;
});

describe('backend selection', () => {
  it('rejects an unknown backend name as a UserError naming its source', () => {
    expect(() => parseBackendName('gpu', '--backend')).toThrow(UserError);
    expect(() => parseBackendName('gpu', '--backend')).toThrow(/--backend: unknown backend 'gpu'.*node-gpu/);
    process.env.UGP_BACKEND = 'tpu';
    expect(() => initBackend({ log: null })).toThrow(UserError);
    expect(() => initBackend({ log: null })).toThrow(/UGP_BACKEND: unknown backend 'tpu'/);
  });

  it('starts wasm when asked for, says so and reports its threads', async () => {
    const lines: string[] = [];
    const info = await initBackend({ backend: 'wasm', log: (line) => lines.push(line) });
    expect(info).toMatchObject({ name: 'wasm', reason: 'requested' });
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(lines).toEqual([expect.stringMatching(/^\[ugp\] backend wasm \(\d+ threads?\): requested/)]);
    expect(activeBackend()).toEqual(info);
  });

  it('keeps its choice: the same backend again is fine, another one is refused', async () => {
    await expect(initBackend({ backend: 'wasm', log: null })).resolves.toMatchObject({ name: 'wasm' });
    await expect(initBackend({ backend: 'cpu', log: null })).rejects.toThrow(/already initialised as 'wasm'/);
  });

  it("keeps tfjs' cpu backend quiet (no tfjs-node advertisement on its first tensor)", async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      await tf.setBackend('cpu');
      tf.tensor([1, 2]).dispose();
      expect(warn.mock.calls.flat().join('\n')).not.toMatch(
        /looks like you are running TensorFlow\.js in Node/,
      );
    } finally {
      warn.mockRestore();
      await tf.setBackend('wasm');
    }
  });

  it('runs wasm with every thread it was given (threaded build under Node)', async () => {
    const expected = Math.min(
      Number(process.env.UGP_THREADS) || (await import('node:os')).availableParallelism(),
      8,
    );
    expect(activeBackend()!.threads).toBe(expected);
  });
});
