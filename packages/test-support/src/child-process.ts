// Child processes for tests that need real concurrency (claims, worker pools): a TypeScript entry is
// bundled with esbuild into one ESM file (node cannot run .ts), workspace packages resolved to their
// sources and native better-sqlite3 left external, then run with the current node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Bundles `entry` into `outDir/child.mjs` and returns its path. */
export async function bundleScript(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'child.mjs');
  const sqlite = require.resolve('better-sqlite3', { paths: [join(packagesDir, 'store')] });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // CommonJS dependencies (cli-progress via @ugpnet/core) require Node built-ins at run time.
    banner: {
      js: "import { createRequire as __ugpCreateRequire } from 'node:module'; const require = __ugpCreateRequire(import.meta.url);",
    },
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
