// Test helpers (not part of the build): a fresh store file in its own temp folder, and child processes
// running a TypeScript script against the store sources (bundled with esbuild, since node cannot run .ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { openStore, type TrackingStore } from '../index.js';

export interface FreshStore {
  dir: string;
  path: string;
  store: TrackingStore;
  cleanup(): void;
}

export function freshStore(name = 'ugp.db'): FreshStore {
  const dir = mkdtempSync(join(tmpdir(), 'ugp-store-'));
  const path = join(dir, name);
  const store = openStore(path);
  return {
    dir,
    path,
    store,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const require = createRequire(import.meta.url);

/** Bundles a .ts entry into one ESM file in `outDir` (native better-sqlite3 stays external). */
export async function bundleScript(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'child.mjs');
  const sqlite = require.resolve('better-sqlite3');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        name: 'native-external',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
  });
  return outfile;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script ...args` and collects its output. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
