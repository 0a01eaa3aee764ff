import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleScript, runNode } from './child-process.js';

describe('bundleScript + runNode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ugp-child-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a TypeScript entry that imports a workspace package from its sources', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      "import { canonicalJson } from '@ugpnet/core';\nconst n: number = Number(process.argv[2]);\nprocess.stdout.write(canonicalJson({ n, a: process.env.X }));\n",
    );
    const script = await bundleScript(entry, dir);
    const result = await runNode(script, ['3'], { X: 'y' });
    expect(result).toMatchObject({ code: 0, stdout: '{"a":"y","n":3}' });
  });
});
