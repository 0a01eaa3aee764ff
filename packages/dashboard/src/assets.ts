// The browser side: plain scripts and a stylesheet in src/client (classic scripts, because module
// scripts do not load from file://), plus chart.js's UMD build from node_modules. Every asset the
// pages may load is listed here; the server serves nothing else from disk besides artifacts.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Client scripts in load order (each adds to `window.ugp`; app.js starts the page). */
export const CLIENT_SCRIPTS = [
  'util.js',
  'labels.js',
  'charts.js',
  'images.js',
  'runs-table.js',
  'run-view.js',
  'grid-view.js',
  'compare-view.js',
  'app.js',
] as const;

export const CHART_JS = 'chart.umd.min.js';

/** URL path under the site root → absolute file. */
export function assetFiles(): Map<string, string> {
  // src/assets.ts and dist/assets.js both sit one level below the package root.
  const clientDir = fileURLToPath(new URL('../src/client/', import.meta.url));
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const files = new Map<string, string>();
  files.set(`assets/${CHART_JS}`, join(chartDir, CHART_JS));
  for (const name of [...CLIENT_SCRIPTS, 'style.css']) files.set(`assets/${name}`, join(clientDir, name));
  return files;
}
