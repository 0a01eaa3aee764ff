// `ugp dashboard build`: a self-contained folder (index.html, data.js, assets, copied artifacts) that
// opens from disk with no server and no network.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openStore } from '@ugpnet/store';
import { ARTIFACT_URL_PREFIX, artifactFiles } from './artifact-urls.js';
import { assetFiles } from './assets.js';
import { DashboardError } from './errors.js';
import { renderPage } from './page.js';
import { readSnapshot, snapshotJson } from './snapshot.js';

/** Marks a folder as written by `ugp dashboard build`, so a rebuild may replace its contents. */
export const SITE_MARKER = '.ugp-dashboard';

export interface BuildOptions {
  /** The store file (opened read-only). */
  db: string;
  /** Output folder: created, or a previous build's folder (anything else non-empty is refused). */
  out: string;
}

export interface BuildReport {
  out: string;
  /** Absolute path of index.html (open it in a browser). */
  index: string;
  experiments: number;
  runs: number;
  artifactsCopied: number;
  /** Artifacts recorded in the store whose files are missing (shown as missing on the pages). */
  artifactsMissing: number;
  version: string;
}

export function buildDashboard(options: BuildOptions): BuildReport {
  const out = resolve(options.out);
  const store = openStore(options.db, { readonly: true });
  try {
    prepareOutput(out);
    const data = readSnapshot(store);
    const artifacts = artifactFiles(store);
    for (const [urlPath, file] of artifacts) {
      const target = join(out, ARTIFACT_URL_PREFIX, urlPath);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
    }
    for (const [urlPath, file] of assetFiles()) {
      const target = join(out, urlPath);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
    }
    writeFileSync(join(out, 'data.js'), `window.UGP_DATA = ${snapshotJson(data)};\n`);
    writeFileSync(join(out, 'index.html'), renderPage());
    writeFileSync(
      join(out, SITE_MARKER),
      `${JSON.stringify({ store: data.storePath, version: data.version })}\n`,
    );
    const recorded = data.runs.reduce((n, r) => n + r.artifacts.length, 0);
    const shown = data.runs.reduce((n, r) => n + r.artifacts.filter((a) => a.url).length, 0);
    return {
      out,
      index: join(out, 'index.html'),
      experiments: data.experiments.length,
      runs: data.runs.length,
      artifactsCopied: artifacts.size,
      artifactsMissing: recorded - shown,
      version: data.version,
    };
  } finally {
    store.close();
  }
}

function prepareOutput(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new DashboardError(`--out ${out} is a file; expected a folder`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(SITE_MARKER)) {
      throw new DashboardError(
        `--out ${out} is not empty and is not a previous dashboard build; choose an empty or new folder`,
      );
    }
    // A previous build: drop what this build writes again, so deleted artifacts do not linger.
    for (const name of ['assets', 'artifacts', 'data.js', 'index.html']) {
      rmSync(join(out, name), { recursive: true, force: true });
    }
  }
  mkdirSync(out, { recursive: true });
}
