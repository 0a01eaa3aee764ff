// Backend selection on a machine without tfjs-node(-gpu) (this one: their libtensorflow download
// cannot happen here). initBackend chooses once per process, so the order of these tests matters.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '@ugpnet/core';
import { activeBackend, BackendUnavailableError, initBackend, parseBackendName } from './backend.js';

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

  it('explains that node-gpu is not installed when it is asked for', async () => {
    const attempt = initBackend({ backend: 'node-gpu', log: null });
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(
      /backend 'node-gpu' is not available: @tensorflow\/tfjs-node-gpu is/,
    );
    await expect(attempt).rejects.toThrow(/not installed|native binding is missing/);
    expect(activeBackend()).toBeUndefined();
  });

  it('auto picks wasm, says why, and reports its threads', async () => {
    const lines: string[] = [];
    const info = await initBackend({ backend: 'auto', log: (line) => lines.push(line) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.reason).toMatch(/node-gpu: @tensorflow\/tfjs-node-gpu is/);
    expect(info.reason).toMatch(/node: @tensorflow\/tfjs-node is/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(lines).toEqual([expect.stringMatching(/^\[ugp\] backend wasm \(\d+ threads?\): auto; skipped/)]);
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
