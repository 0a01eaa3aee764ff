// Params: the run's resolved configuration, flattened to dotted keys (e.g. `fusion.lr`), values as JSON.
import { canonicalJson } from '@ugpnet/core';
import type { Db } from './database.js';
import type { Json } from './types.js';

export class ParamStore {
  constructor(private readonly db: Db) {}

  /** Sets params (a key logged again takes the new value: a resume with changed flags says so). */
  log(runId: string, params: Record<string, Json>): void {
    const upsert = this.db.prepare(
      `INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`,
    );
    this.db
      .transaction(() => {
        for (const [key, value] of Object.entries(params))
          upsert.run(runId, key, canonicalJson(value ?? null));
      })
      .immediate();
  }

  get(runId: string): Record<string, Json> {
    const rows = this.db
      .prepare('SELECT key, value FROM params WHERE run_id = ? ORDER BY key')
      .all(runId) as {
      key: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as Json]));
  }
}

/** Flattens nested objects to dotted keys; arrays stay values (`{a: {b: 1}}` → `{'a.b': 1}`). */
export function flattenParams(value: Record<string, unknown>, prefix = ''): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(out, flattenParams(v as Record<string, unknown>, path));
    } else if (v !== undefined) {
      out[path] = JSON.parse(canonicalJson(v)) as Json;
    }
  }
  return out;
}
