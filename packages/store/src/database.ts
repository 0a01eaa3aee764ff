// Opening a store file: pragmas (WAL, busy timeout, foreign keys), then the schema version check and,
// for writers, the pending migrations.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open read-only (the dashboard): no migrations, no writes; the file must exist. */
  readonly?: boolean;
  /** How long a writer waits for the lock before SQLITE_BUSY (default 30 s). */
  busyTimeoutMs?: number;
  /** Migrations to apply (tests pass a prefix to build an old schema). Default: all. */
  migrations?: readonly Migration[];
}

export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  if (readonly && path !== ':memory:' && !existsSync(path)) {
    throw new StoreError(`store ${path} does not exist (run a training or grid command first, or pass --db)`);
  }
  if (!readonly && path !== ':memory:') makeStoreFolder(path);
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw new StoreError(`cannot open store ${path}: ${(err as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    db.pragma('foreign_keys = ON');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across process crashes in WAL mode (only a power loss can drop the last commits).
      db.pragma('synchronous = NORMAL');
    }
    const migrations = options.migrations ?? MIGRATIONS;
    if (readonly) checkSchemaVersion(db, path, migrations);
    else migrate(db, path, migrations);
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError(`${path} is not a ugpnet store (${(err as Error).message})`);
    }
    throw err;
  }
}

/**
 * Creates the folders above a new store file, one level at a time: Node's recursive mkdir loops
 * forever where mkdir says ENOENT under an existing parent (/proc/nope), and an existing file in
 * the way (/etc/passwd/x.db) must be a clear error, not an unwrapped EEXIST.
 */
function makeStoreFolder(path: string): void {
  const missing: string[] = [];
  let dir = resolve(dirname(path));
  while (!existsSync(dir)) {
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new StoreError(`cannot create store ${path}: ${dir} is a file, not a folder`);
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(folder).isDirectory()) continue;
      throw new StoreError(
        `cannot create store ${path}: cannot make folder ${folder} (${(err as Error).message})`,
      );
    }
  }
}

/** The version recorded in the file (0 for a new, empty file). */
export function schemaVersion(db: Db): number {
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

function latest(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

function checkSchemaVersion(db: Db, path: string, migrations: readonly Migration[]): void {
  const found = schemaVersion(db);
  const expected = latest(migrations);
  if (found > SCHEMA_VERSION || found > expected) {
    throw new StoreError(
      `store ${path} has schema version ${found}, newer than this ugpnet understands (${expected}); upgrade ugpnet`,
    );
  }
  if (found < expected) {
    throw new StoreError(
      `store ${path} has schema version ${found}, expected ${expected}; open it once for writing (e.g. ugp runs list) to migrate it`,
    );
  }
}

/** Applies pending migrations, each in one IMMEDIATE transaction (concurrent openers wait, then skip). */
export function migrate(db: Db, path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is not numbered 1..n at ${m.version} ${m.name}`);
  });
  const expected = latest(migrations);
  if (schemaVersion(db) > expected) checkSchemaVersion(db, path, migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const apply = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const current = schemaVersion(db);
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    }
  });
  if (schemaVersion(db) < expected) apply.immediate();
}
