// Unusable images met while a run loads its data (truncated, not an image, too small): each is
// logged once with its path and reason, counted in the run's `data.skipped_files` tag, and
// replaced by the next usable item, so one bad file never stops training. A dataset where most
// files are bad is refused instead of trained on what little is left.
import { UserError } from '@ugpnet/core';
import { type BadFile, BadFileLog } from '@ugpnet/datasets';
import type { TrackingStore } from '@ugpnet/store';

/** Run tag holding how many files were skipped (the dashboard shows it). */
export const SKIPPED_FILES_TAG = 'data.skipped_files';

/**
 * The rule for "most files are bad": once at least this many distinct files (or the whole split,
 * if smaller) have been tried, more than half of them unusable stops the run.
 */
export const MOST_BAD_AFTER = 20;

export interface SkipHooks {
  /** Called once per newly skipped file, with the running count. */
  onSkip?: (file: BadFile, count: number) => void;
}

export class SkippedFiles {
  private readonly bad: BadFileLog;
  private readonly usable = new Set<string>();

  constructor(hooks: SkipHooks = {}) {
    this.bad = new BadFileLog((file) => hooks.onSkip?.(file, this.bad.count));
  }

  private readonly badPaths = new Set<string>();

  isBad(path: string): boolean {
    return this.badPaths.has(path);
  }

  add(file: BadFile): void {
    this.badPaths.add(file.path);
    this.bad.add(file);
  }

  markUsable(path: string): void {
    this.usable.add(path);
  }

  get count(): number {
    return this.bad.count;
  }

  list(): BadFile[] {
    return this.bad.list();
  }

  /** Throws when more than half of the files tried so far are unusable (see MOST_BAD_AFTER). */
  checkMostlyUsable(root: string, splitLength: number): void {
    const bad = this.bad.count;
    const tried = bad + this.usable.size;
    if (tried >= Math.min(MOST_BAD_AFTER, splitLength) && bad * 2 > tried) {
      throw new UserError(
        `${root}: ${bad} of the ${tried} files tried are unusable (more than half), so the dataset is ` +
          `refused rather than trained on the rest; ${this.bad.summary(3)}`,
      );
    }
  }
}

/** Hooks that log each skipped file once (`[data] skipped PATH: reason`) and keep the run's tag current. */
export function recordSkips(
  store: TrackingStore,
  runId: string,
  log: ((line: string) => void) | undefined,
): SkipHooks {
  return {
    onSkip: (file, count) => {
      (log ?? console.error)(`[data] skipped ${file.path}: ${file.reason}`);
      store.setTag(runId, SKIPPED_FILES_TAG, String(count));
    },
  };
}
