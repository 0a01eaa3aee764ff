// Tags (key → value, one per key) and notes (free text, appended) on runs.
import type { Db } from './database.js';
import type { Note, Tag } from './types.js';

export class TagStore {
  constructor(private readonly db: Db) {}

  set(runId: string, key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`,
      )
      .run(runId, key, value);
  }

  delete(runId: string, key: string): void {
    this.db.prepare('DELETE FROM tags WHERE run_id = ? AND key = ?').run(runId, key);
  }

  list(runId: string): Tag[] {
    return this.db.prepare('SELECT key, value FROM tags WHERE run_id = ? ORDER BY key').all(runId) as Tag[];
  }

  addNote(runId: string, text: string): Note {
    const createdAt = Date.now();
    this.db
      .prepare('INSERT OR IGNORE INTO notes (run_id, created_at, text) VALUES (?, ?, ?)')
      .run(runId, createdAt, text);
    return { runId, text, createdAt };
  }

  notes(runId: string): Note[] {
    const rows = this.db
      .prepare('SELECT run_id, created_at, text FROM notes WHERE run_id = ? ORDER BY created_at')
      .all(runId) as { run_id: string; created_at: number; text: string }[];
    return rows.map((r) => ({ runId: r.run_id, text: r.text, createdAt: r.created_at }));
  }
}
