// Walking image trees: deterministic (natural-sorted) lists of image files, with empty files
// set aside as bad at open time.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { IMAGE_EXTENSIONS } from '@ugpnet/core';
import type { BadFile } from '../bad-files.js';
import { naturalCompare } from './source.js';

export interface FileList {
  /** Absolute paths of non-empty image files, in natural order of their relative paths. */
  files: string[];
  /** Empty image files. */
  bad: BadFile[];
  /** Files without an image extension (ignored, not errors). */
  ignored: number;
}

/**
 * Every image file under `root` (recursive; hidden entries skipped). Symbolic links are followed,
 * but each real directory is walked once and each real file listed once (the first path in
 * natural order), so a link loop (`loop -> .`) or an alias never multiplies the pictures, and
 * the same picture cannot land in two splits.
 */
export function listImages(root: string): FileList {
  const found: { path: string; rel: string; real: string }[] = [];
  const bad: BadFile[] = [];
  let ignored = 0;
  const walked = new Set<string>();
  const walk = (dir: string) => {
    const realDir = realpathSync(dir);
    if (walked.has(realDir)) return;
    walked.add(realDir);
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => naturalCompare(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let real = join(realDir, entry.name);
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
          real = realpathSync(path);
        } catch {
          bad.push({ path, reason: 'broken symbolic link (or a link loop)' });
          continue;
        }
      }
      if (isDir) walk(path);
      else if (isFile) {
        if (!IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
          ignored++;
          continue;
        }
        if (statSync(path).size === 0) bad.push({ path, reason: 'empty file' });
        else found.push({ path, rel: relative(root, path), real });
      }
    }
  };
  walk(root);
  found.sort((a, b) => naturalCompare(a.rel, b.rel));
  const seen = new Set<string>();
  const unique = found.filter((f) => !seen.has(f.real) && seen.add(f.real));
  return { files: unique.map((f) => f.path), bad, ignored };
}
