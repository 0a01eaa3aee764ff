import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '@ugpnet/core';
import { loadPriorFile, priorFile } from './prior-files.js';

describe('prior files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-prior-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a cell whose prior file is missing fails clearly instead of training the prior', async () => {
    const load = loadPriorFile(dir, 'pretrain-gan', 'abc');
    await expect(load).rejects.toThrow(UserError);
    await expect(loadPriorFile(dir, 'pretrain-gan', 'abc')).rejects.toThrow(
      `prior pretrain-gan (run abc) is missing: expected ${priorFile(dir, 'pretrain-gan', 'abc')}. Cells do not train priors`,
    );
  });
});
