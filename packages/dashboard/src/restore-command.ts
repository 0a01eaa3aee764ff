// The command line that restores images with a checkpoint, shown next to each best checkpoint.

/** Quotes a shell word for POSIX shells (only when it needs quoting). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `ugp restore --checkpoint <absolute path>`. */
export function restoreCommand(checkpointPath: string): string {
  return `ugp restore --checkpoint ${shellQuote(checkpointPath)}`;
}
