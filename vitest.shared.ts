// Shared vitest settings: workspace packages resolve to their TypeScript sources,
// so tests never need a prior build.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const packages = readdirSync(join(root, 'packages'));

export const workspaceAliases = packages.map((name) => ({
  find: new RegExp(`^@ugpnet/${name}$`),
  replacement: join(root, 'packages', name, 'src', 'index.ts'),
}));

export function packageTestConfig(overrides: UserConfig['test'] = {}): UserConfig {
  return {
    resolve: { alias: workspaceAliases },
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...overrides,
    },
  };
}
