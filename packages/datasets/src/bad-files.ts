// Files that cannot be used (truncated, empty, not an image, too small) are skipped, counted
// and reported once each with their path, never crashing a run.

/** A file (or LMDB key) that was skipped, and why. */
export interface BadFile {
  path: string;
  reason: string;
}

/** Thrown by decoders for one unusable file; the loader skips the item and records it. */
export class BadImageError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'BadImageError';
  }
}

/** The set of skipped files, deduplicated by path, with a hook that sees each new one once. */
export class BadFileLog {
  private readonly files = new Map<string, string>();

  constructor(private readonly onNew?: (file: BadFile) => void) {}

  /** Records a file; returns true the first time this path is seen. */
  add(file: BadFile): boolean {
    if (this.files.has(file.path)) return false;
    this.files.set(file.path, file.reason);
    this.onNew?.(file);
    return true;
  }

  get count(): number {
    return this.files.size;
  }

  list(): BadFile[] {
    return [...this.files].map(([path, reason]) => ({ path, reason }));
  }

  /** One line: how many were skipped and which (the first few paths). */
  summary(max = 5): string {
    const list = this.list();
    if (list.length === 0) return 'no files skipped';
    const shown = list.slice(0, max).map((f) => `${f.path} (${f.reason})`);
    const more = list.length > max ? `, … ${list.length - max} more` : '';
    return `skipped ${list.length} unusable file${list.length === 1 ? '' : 's'}: ${shown.join(', ')}${more}`;
  }
}
