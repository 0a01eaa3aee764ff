// Sample strips and other artifacts are addressed as `artifacts/<folder key>/<file name>`, where the folder
// key is a hash of the artifact's absolute folder. The static site copies each file to that relative path;
// the server maps the key back to a folder the store names and serves only files directly inside it.
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import type { TrackingStore } from '@ugpnet/store';

export const ARTIFACT_URL_PREFIX = 'artifacts/';

/** Key of an artifact folder (absolute path) in URLs. */
export function artifactFolderKey(folder: string): string {
  return createHash('sha256').update(folder).digest('hex').slice(0, 16);
}

/** The relative URL of an artifact file (absolute path); the same in the static site and the server. */
export function artifactUrl(absolutePath: string): string {
  return `${ARTIFACT_URL_PREFIX}${artifactFolderKey(dirname(absolutePath))}/${encodeURIComponent(basename(absolutePath))}`;
}

/** Decoded `<folder key>/<file name>` → absolute file, for every recorded artifact file that exists. */
export function artifactFiles(store: TrackingStore): Map<string, string> {
  const files = new Map<string, string>();
  for (const run of store.listRuns()) {
    for (const a of store.listArtifacts(run.id)) {
      const file = store.resolvePath(a.path);
      if (!isPlainFile(file)) continue;
      files.set(`${artifactFolderKey(dirname(file))}/${basename(file)}`, file);
    }
  }
  return files;
}

/** A regular file whose real location is still inside its folder (no symlink out of it). */
export function isPlainFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    const real = realpathSync(file);
    const folder = realpathSync(dirname(file));
    return real.startsWith(folder + sep);
  } catch {
    return false;
  }
}
