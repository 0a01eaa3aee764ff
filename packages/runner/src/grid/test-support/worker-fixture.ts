// For the tests that start worker processes: worker-child.ts bundled once per file, and a fresh store
// in a fresh folder per test. Call inside a `describe`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type TrackingStore } from '@ugpnet/store';
import { bundleScript } from '@ugpnet/test-support';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import type { WorkerCommand } from '../pool.js';

export interface WorkerFixture {
  /** This test's folder. */
  dir: string;
  /** This test's store (in `dir`). */
  store: TrackingStore;
  /** `node worker-child.js STORE ...args` (args: grid, steps, ms per step[, max attempts]). */
  workerChild: (...args: string[]) => WorkerCommand;
}

export function workerFixture(prefix: string): WorkerFixture {
  let script = '';
  let path = '';
  const fx = {
    workerChild: (...args: string[]) => ({ file: process.execPath, args: [script, path, ...args] }),
  } as WorkerFixture;
  beforeAll(async () => {
    const buildDir = mkdtempSync(join(tmpdir(), `${prefix}-build-`));
    script = await bundleScript(join(import.meta.dirname, 'worker-child.ts'), buildDir);
    return () => rmSync(buildDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fx.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    path = join(fx.dir, 'ugp.db');
    fx.store = openStore(path);
  });
  afterEach(() => {
    fx.store.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}
