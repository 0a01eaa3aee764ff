// The one HTML page. Views are hash routes (#/experiment/…, #/run/…, #/grid/…, #/compare/…), so the
// same file works from disk and from the server; data comes from data.js (a script, not fetch(), which
// file:// pages cannot use).
import { CHART_JS, CLIENT_SCRIPTS } from './assets.js';

export interface PageOptions {
  /** Served live: the page polls this URL for a newer snapshot. */
  pollUrl?: string;
  pollMs?: number;
}

const escapeAttribute = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function renderPage(options: PageOptions = {}): string {
  const live = options.pollUrl
    ? `\n<meta name="ugp-poll" content="${escapeAttribute(options.pollUrl)}" data-ms="${options.pollMs ?? 5000}">`
    : '';
  const scripts = [`assets/${CHART_JS}`, 'data.js', ...CLIENT_SCRIPTS.map((s) => `assets/${s}`)]
    .map((src) => `<script src="${src}"></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>UGPNet runs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/style.css">${live}
</head>
<body>
<header>
<a class="brand" href="#/">UGPNet runs</a>
<nav id="crumbs"></nav>
<span id="live-status"></span>
</header>
<main id="app"><p class="empty">Loading…</p></main>
<footer id="footer"></footer>
${scripts}
</body>
</html>
`;
}
