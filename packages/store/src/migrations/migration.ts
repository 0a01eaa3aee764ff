/** One schema change: numbered from 1 with no gaps, applied in order, each in its own transaction. */
export interface Migration {
  version: number;
  /** What changed, in a few words (matches the file name). */
  name: string;
  sql: string;
}
