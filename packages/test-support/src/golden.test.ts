import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertGolden, locateGolden } from './golden.js';

describe('locateGolden', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ugp-golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes UGP_GOLDEN_DIR and finds the folder by its README.md', () => {
    writeFileSync(join(dir, 'README.md'), 'golden');
    const found = locateGolden({ UGP_GOLDEN_DIR: dir });
    expect(found).toEqual({ dir, present: true, required: false });
    expect(() => assertGolden(found)).not.toThrow();
  });

  it('UGP_REQUIRE_GOLDEN=1 with the folder missing: the suites run and fail naming the folder', () => {
    const missing = join(dir, 'nowhere');
    const found = locateGolden({ UGP_GOLDEN_DIR: missing, UGP_REQUIRE_GOLDEN: '1' });
    expect(found).toEqual({ dir: missing, present: false, required: true });
    expect(() => assertGolden(found)).toThrow(`golden data not found at ${missing}`);
  });

  it('ignores the retired UGP_GOLDEN variable', () => {
    expect(locateGolden({ UGP_GOLDEN: dir }).dir).not.toBe(dir);
  });
});
