// Module hooks for source-mode workers: `.js` imports from `.ts` files resolve to the `.ts`
// sibling, `@ugpnet/<pkg>` resolves to that package's src/index.ts (as vitest aliases it),
// and `.ts` files are transpiled by esbuild (a dev dependency of the workspace).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const packages = new URL('../../../', import.meta.url);

export async function resolve(specifier, context, next) {
  const workspace = /^@ugpnet\/([\w-]+)$/.exec(specifier);
  if (workspace) {
    const url = new URL(`${workspace[1]}/src/index.ts`, packages);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: path,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
