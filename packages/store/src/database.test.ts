import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from './database.js';
import { StoreError } from './errors.js';
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from './migrations/index.js';
import { openStore } from './tracking-store.js';

describe('opening and migrating a store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a new file at the latest schema version in WAL mode with a busy timeout', () => {
    const path = join(dir, 'nested', 'ugp.db');
    const db = openDatabase(path, { busyTimeoutMs: 1234 });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    for (const t of [
      'experiments',
      'runs',
      'params',
      'metrics',
      'latest_metrics',
      'checkpoints',
      'artifacts',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('reopening applies nothing twice and keeps data', () => {
    const path = join(dir, 'ugp.db');
    const a = openStore(path);
    const run = a.createRun({ name: 'r', experiment: 'e' });
    a.close();
    const b = openStore(path);
    expect(b.getRun(run.id)?.name).toBe('r');
    expect(b.db.prepare('SELECT COUNT(*) AS n FROM schema_version').get()).toEqual({ n: MIGRATIONS.length });
    b.close();
  });

  it('migrates an older file forward with a later numbered migration', () => {
    const path = join(dir, 'ugp.db');
    const old = openStore(path, { migrations: MIGRATIONS.slice(0, 1) });
    const run = old.createRun({ name: 'r', experiment: 'e' });
    old.close();
    const next: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'run-priority',
      sql: 'ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;',
    };
    const db = openDatabase(path, { migrations: [...MIGRATIONS, next] });
    expect(schemaVersion(db)).toBe(next.version);
    expect(db.prepare('SELECT priority FROM runs WHERE run_id = ?').get(run.id)).toEqual({ priority: 0 });
    db.close();
  });

  it('read-only open checks the version and refuses writes', () => {
    const path = join(dir, 'ugp.db');
    expect(() => openStore(path, { readonly: true })).toThrow(StoreError);
    openStore(path).close();
    const ro = openStore(path, { readonly: true });
    expect(ro.listRuns()).toEqual([]);
    expect(() => ro.createRun({ name: 'r', experiment: 'e' })).toThrow(/readonly/);
    ro.close();
  });

  it('a read-only open of an older file asks for a migration; a newer file is refused', () => {
    const path = join(dir, 'ugp.db');
    const db = new Database(path);
    db.exec(
      'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER)',
    );
    db.close();
    expect(() => openStore(path, { readonly: true })).toThrow(/schema version 0, expected/);
    openStore(path).close();
    const future = new Database(path);
    future.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 0);
    future.close();
    expect(() => openStore(path)).toThrow(/newer than this ugpnet/);
    expect(() => openStore(path, { readonly: true })).toThrow(/newer than this ugpnet/);
  });

  it('refuses a file that is not a SQLite database', () => {
    const path = join(dir, 'junk.db');
    writeFileSync(path, 'not a database at all, clearly not sqlite'.repeat(20));
    expect(() => openStore(path)).toThrow(StoreError);
  });

  it('a store path under a file, or where no folder can be made, is one clear error (no hang)', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    expect(() => openStore(join(file, 'x.db'))).toThrow(StoreError);
    expect(() => openStore(join(file, 'deeper', 'x.db'))).toThrow(
      `cannot create store ${join(file, 'deeper', 'x.db')}: ${file} is a file, not a folder`,
    );
    // mkdir under /proc answers ENOENT, on which Node's recursive mkdir loops forever.
    if (existsSync('/proc/self')) {
      expect(() => openStore('/proc/nope/x.db')).toThrow(
        /^cannot create store \/proc\/nope\/x\.db: cannot make folder \/proc\/nope \(ENOENT/,
      );
    }
  });
});
