// Walking image trees: deterministic (natural-sorted) lists of image files, with empty files
// set aside as bad at open time.
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { BadFile } from '../bad-files.js';
import { naturalCompare } from './source.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif'];

export interface FileList {
  /** Absolute paths of non-empty image files, in natural order of their relative paths. */
  files: string[];
  /** Empty image files. */
  bad: BadFile[];
  /** Files without an image extension (ignored, not errors). */
  ignored: number;
}

/** Every image file under `root` (recursive; hidden entries skipped). */
export function listImages(root: string): FileList {
  const found: { path: string; rel: string }[] = [];
  const bad: BadFile[] = [];
  let ignored = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          bad.push({ path, reason: 'broken symbolic link' });
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
        else found.push({ path, rel: relative(root, path) });
      }
    }
  };
  walk(root);
  found.sort((a, b) => naturalCompare(a.rel, b.rel));
  return { files: found.map((f) => f.path), bad, ignored };
}
