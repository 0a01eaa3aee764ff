// Test helper (not part of the build): a fresh store file in its own temp folder. Child processes
// (bundleScript / runNode) come from @ugpnet/test-support.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
