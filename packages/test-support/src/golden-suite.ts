// A describe block for a golden suite: skipped without the folder, failing without it under
// UGP_REQUIRE_GOLDEN=1 (CI), where every test of the block then reports the missing folder.
import { beforeAll, describe } from 'vitest';
import { requireGolden, runGolden } from './golden.js';

export function describeGolden(name: string, body: () => void): void {
  describe.runIf(runGolden)(name, () => {
    beforeAll(requireGolden);
    body();
  });
}
