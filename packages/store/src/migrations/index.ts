// Every schema migration, in order. Add a file `NNNN-what-changed.ts` and list it here; never edit an
// applied one.
import { initial } from './0001-initial.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [initial];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
