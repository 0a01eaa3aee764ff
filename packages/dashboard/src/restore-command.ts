// The command line that restores images with a checkpoint, shown next to each best checkpoint.

/** Quotes a shell word for POSIX shells (only when it needs quoting). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * How to restore images with a run's best checkpoints: stage checkpoints are exported as one
 * UGPNet checkpoint folder (`ugp weights export`), which `ugp restore` reads.
 */
export function restoreCommand(runId: string, storePath: string): string {
  const out = `ugpnet-${runId.slice(0, 8)}`;
  return (
    `ugp weights export --run ${shellQuote(runId)} --db ${shellQuote(storePath)} --out ${out} && ` +
    `ugp restore --checkpoint ${out} --input IMAGES --output restored`
  );
}
