import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardData } from './snapshot.js';
import { buildDashboard, SITE_MARKER } from './static-site.js';
import { type FilledStore, fillStore } from './testing/fill-store.js';

let dir: string;
let filled: FilledStore;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-dash-site-'));
  filled = fillStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadData(out: string): DashboardData {
  const window: { UGP_DATA?: DashboardData } = {};
  runInNewContext(readFileSync(join(out, 'data.js'), 'utf8'), { window });
  return window.UGP_DATA!;
}

describe('buildDashboard', () => {
  it('writes a self-contained site: page, data, bundled chart.js, copied sample strips', () => {
    const before = sha(filled.db);
    const out = join(dir, 'site');
    const report = buildDashboard({ db: filled.db, out });
    // Sample strips: 42; test images: 2 images × 5 columns of 6 finished ablation runs and 4 demo-grid runs.
    expect(report).toMatchObject({
      out,
      runs: 13,
      experiments: 3,
      artifactsCopied: 142,
      artifactsMissing: 1,
    });
    expect(sha(filled.db)).toBe(before);

    const html = readFileSync(report.index, 'utf8');
    // Nothing from the network: every src/href is relative (or the empty data: favicon).
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(ref, ref).toMatch(/^(#\/|data:,$|assets\/|data\.js$)/);
    for (const ref of refs.filter((r) => r.startsWith('assets/') || r === 'data.js')) {
      expect(existsSync(join(out, ref)), ref).toBe(true);
    }
    expect(html).not.toContain('ugp-poll');
    const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
    expect(sha(join(out, 'assets', 'chart.umd.min.js'))).toBe(sha(chartJs));

    const data = loadData(out);
    expect(data.runs).toHaveLength(13);
    expect(data.live).toBe(false);
    const urls = data.runs
      .flatMap((r) => r.artifacts.map((a) => a.url))
      .filter((u): u is string => u !== null);
    // Each test image is filed under every stage whose best checkpoint shows it (3 + 4 + 5 columns).
    expect(urls).toHaveLength(42 + 10 * 2 * (3 + 4 + 5));
    for (const url of urls) {
      expect(
        readFileSync(join(out, decodeURIComponent(url)))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
  });

  it('rebuilds over its own output but refuses other folders', () => {
    const out = join(dir, 'rebuild');
    buildDashboard({ db: filled.db, out });
    writeFileSync(join(out, 'artifacts', 'stale.png'), 'old');
    buildDashboard({ db: filled.db, out });
    expect(existsSync(join(out, 'artifacts', 'stale.png'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual([SITE_MARKER, 'artifacts', 'assets', 'data.js', 'index.html']);

    const other = join(dir, 'precious');
    mkdirSync(other);
    writeFileSync(join(other, 'thesis.tex'), 'x');
    expect(() => buildDashboard({ db: filled.db, out: other })).toThrow(
      /not empty and is not a previous dashboard build/,
    );
    expect(readdirSync(other)).toEqual(['thesis.tex']);
    expect(() => buildDashboard({ db: filled.db, out: join(other, 'thesis.tex') })).toThrow(/is a file/);
  });

  it('names a missing store as a user error and writes nothing', () => {
    const out = join(dir, 'none');
    expect(() => buildDashboard({ db: join(dir, 'missing.db'), out })).toThrow(
      expect.objectContaining({ name: 'UserError', message: expect.stringContaining('does not exist') }),
    );
    expect(existsSync(out)).toBe(false);
  });
});
