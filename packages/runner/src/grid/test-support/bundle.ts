// Test helper: bundles a TypeScript entry (workspace packages resolved to their sources, native
// better-sqlite3 left external) into one ESM file that a child `node` process can run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

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
        name: 'workspace-sources',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
          b.onResolve({ filter: /^@ugpnet\/[a-z-]+$/ }, (args) => {
            const path = join(packagesDir, args.path.slice('@ugpnet/'.length), 'src', 'index.ts');
            return existsSync(path) ? { path } : undefined;
          });
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
