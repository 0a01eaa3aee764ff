// The pages in a real browser (Debian's chromium through playwright-core): the static site from file://
// and the live server, for a store filled through the store API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '@ugpnet/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCommand } from './restore-command.js';
import { type DashboardServer, serveDashboard } from './server.js';
import { buildDashboard } from './static-site.js';
import { type Browser, launchChromium, newPage, screenshotPath } from './testing/browser.js';
import {
  type FilledStore,
  fillStore,
  fusionLpips,
  fusionPsnr,
  NASTY_NAME,
  restorationPsnr,
  TEST_IMAGE_COUNT,
  testScores,
} from './testing/fill-store.js';

let dir: string;
let filled: FilledStore;
let index: string;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-dash-pages-'));
  filled = fillStore(dir);
  index = buildDashboard({ db: filled.db, out: join(dir, 'site') }).index;
  browser = await launchChromium();
  ({ page, errors } = await newPage(browser));
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until the page has drawn its view once. */
function rendered() {
  return page.waitForFunction(
    () => ((window as unknown as { ugp?: { renders: number } }).ugp?.renders ?? 0) > 0,
  );
}

/** Loads the page afresh (a bare hash change would keep the page and its view state). */
async function open(hash: string) {
  await page.goto('about:blank');
  await page.goto(`file://${index}${hash}`);
  await rendered();
}

interface Marker {
  left: number;
  right: number;
  top: number;
  bottom: number;
  entries: string[];
}

interface ChartInfo {
  id: string;
  title: string;
  datasets: { label: string; role: string; points: [number, number | null][]; bestStep: number | null }[];
  /** Best-checkpoint markers as drawn (canvas pixels), each with its tooltip lines. */
  markers: Marker[];
}

/** Every chart on the page, read from its Chart instance. */
function charts(): Promise<ChartInfo[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')).map((canvas) => {
      // biome-ignore lint/suspicious/noExplicitAny: chart.js is a global of the page.
      const chart = (window as any).Chart.getChart(canvas);
      return {
        id: canvas.dataset.chart!,
        title: chart.options.plugins.title.text,
        datasets: chart.data.datasets.map(
          (d: {
            label: string;
            ugpRole: string;
            ugpBest?: { step: number } | null;
            data: { x: number; y: number }[];
          }) => ({
            label: d.label,
            role: d.ugpRole,
            points: d.data.map((p) => [p.x, p.y]),
            bestStep: d.ugpBest?.step ?? null,
          }),
        ),
        markers: (chart.$ugpMarkers ?? []).map(
          (m: Omit<Marker, 'entries'> & { entries: { text: string }[] }) => ({
            left: m.left,
            right: m.right,
            top: m.top,
            bottom: m.bottom,
            entries: m.entries.map((e) => e.text),
          }),
        ),
      };
    }),
  );
}

const intersects = (a: Marker, b: Marker) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** No two best-checkpoint markers of one chart overlap; returns how many checkpoints they show. */
function expectMarkersApart(found: ChartInfo[]): number {
  let shown = 0;
  for (const chart of found) {
    chart.markers.forEach((a, i) => {
      shown += a.entries.length;
      for (const b of chart.markers.slice(i + 1))
        expect(intersects(a, b), `${chart.id}: markers overlap`).toBe(false);
    });
  }
  return shown;
}

/** Every short run label on the page (links and legend items) is unique and has the full name on hover. */
async function expectUniqueLabels(selector = 'a.run-label') {
  const labels = await page.$$eval(selector, (as) => as.map((a) => [a.textContent, a.getAttribute('title')]));
  expect(labels.length).toBeGreaterThan(0);
  const byText = new Map<string, string>();
  for (const [text, title] of labels) {
    expect(title).toBeTruthy();
    // The same run may be linked twice on a page (table and images), never two runs with one label.
    const first = title!.split('\n')[0]!;
    if (byText.has(text!)) expect(byText.get(text!)).toBe(first);
    byText.set(text!, first);
  }
  expect(new Set(byText.values()).size).toBe(byText.size);
  return [...byText.keys()];
}

/** naturalWidth of every image of each row (0: not loaded), after waiting for the images to load. */
async function loadedImages(rows: string): Promise<number[][]> {
  await page.waitForFunction(
    (sel) => Array.from(document.querySelectorAll<HTMLImageElement>(`${sel} img`)).every((i) => i.complete),
    rows,
  );
  return page.$$eval(rows, (trs) =>
    trs.map((tr) =>
      Array.from(tr.querySelectorAll('img')).map((img) => (img as HTMLImageElement).naturalWidth),
    ),
  );
}

const cellTexts = (col: string) =>
  page.$$eval(`#runs tbody td[data-col="${col}"]`, (tds) => tds.map((td) => td.textContent ?? ''));
const rowCount = () => page.locator('#runs tbody tr').count();

describe('static site (file://)', () => {
  it('lists the experiments', async () => {
    await open('#/');
    expect(await page.locator('#experiments tbody tr').count()).toBe(3);
    expect(await page.locator('#experiments').textContent()).toContain('deblur-ablation');
    expect(errors).toEqual([]);
  });

  it('sorts the runs table by a column, both ways', async () => {
    await open('#/experiment/deblur-ablation');
    expect(await rowCount()).toBe(8);
    const col = 'test:I_F/psnr';
    // The failed and the running run have no test scores: last, whichever the direction.
    const scored = filled.gridRuns.slice(0, 6);
    const expected = scored
      .map((r) => testScores(r.pretrainedR, r.pretrainedG, r.seed)['I_F/psnr']!)
      .sort((a, b) => b - a)
      .map((v) => v.toFixed(2));
    await page.click(`th[data-col="${col}"]`);
    expect(await cellTexts(col)).toEqual([...expected, '–', '–']);
    await page.click(`th[data-col="${col}"]`);
    expect(await cellTexts(col)).toEqual([...[...expected].reverse(), '–', '–']);
    await page.click('th[data-col="name"]');
    const names = await page.$$eval('#runs tbody tr td:nth-child(2)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(names).toEqual([...names].sort((a, b) => a!.localeCompare(b!, undefined, { numeric: true })));
    expect(errors).toEqual([]);
  });

  it("labels runs by what differs between them, in the paper's words, with the full name on hover", async () => {
    await open('#/experiment/deblur-ablation');
    const labels = await expectUniqueLabels();
    expect(labels).toHaveLength(8);
    expect(labels).toContain('R pretrained · G random · seed 2');
    const title = await page.getAttribute(`tr[data-run-id="${filled.gridRuns[1]!.id}"] a.run-label`, 'title');
    expect(title).toContain('deblur r=true g=true seed=2');
    expect(title).toContain('restoration.lr = 0.0001');

    // The demo-shaped grid has one seed: it is left out of the labels.
    await open('#/grid/demo-ablation');
    expect((await expectUniqueLabels('#runs a.run-label')).sort()).toEqual([
      'R pretrained · G pretrained',
      'R pretrained · G random',
      'R random · G pretrained',
      'R random · G random',
    ]);
    // Compare two runs of different experiments that share their parameters' words.
    await open(
      `#/compare/${filled.demoGridRuns[0]!.id},${filled.demoGridRuns[1]!.id},${filled.gridRuns[0]!.id}`,
    );
    const compared = await expectUniqueLabels('#compare-runs a.run-label');
    expect(compared).toHaveLength(3);
    expect(await page.textContent('#crumbs')).toContain('compare');
    await open(`#/run/${filled.demoGridRuns[2]!.id}`);
    expect(await page.textContent('#crumbs')).toContain('R pretrained · G random');
    expect(errors).toEqual([]);
  });

  it('fits the experiment page into 1400 × 900 with the headline test scores first', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    try {
      for (const experiment of ['deblur-ablation', 'demo-ablation']) {
        await open(`#/experiment/${experiment}`);
        const { scroll, client } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        expect(scroll, experiment).toBeLessThanOrEqual(client);
        // …and the default columns fit: the table does not scroll inside its wrapper either.
        const table = await page.$eval('.table-wrap', (w) => [w.scrollWidth, w.clientWidth]);
        expect(table[0], experiment).toBeLessThanOrEqual(table[1]!);
        const lpips = experiment === 'demo-ablation' ? 'lpips_proxy' : 'lpips';
        // In reading order (the grouped columns' headers are in the second header row).
        const cols = await page.$$eval('#runs thead th[data-col]', (ths) =>
          ths
            .map((th) => [th.getBoundingClientRect().left, th.getAttribute('data-col')!] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, col]) => col),
        );
        expect(cols.slice(0, 11)).toEqual([
          'name',
          'status',
          ...['I_F', 'I_R', 'I_G'].flatMap((o) => ['psnr', 'ssim', lpips].map((k) => `test:${o}/${k}`)),
        ]);
        // No column twice: one seed column (the run's; the grid's seed parameter is not repeated).
        const choosable = await page.$$eval('#column-chooser input[data-column]', (inputs) =>
          inputs.map((i) => i.getAttribute('data-column')!),
        );
        expect(new Set(choosable).size).toBe(choosable.length);
        expect(choosable.filter((c) => /seed/.test(c))).toEqual(['seed']);
        await page.screenshot({ path: screenshotPath(`experiment-${experiment}.png`) });
      }
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
    expect(errors).toEqual([]);
  });

  it('filters the runs table by words and by status', async () => {
    await open('#/experiment/deblur-ablation');
    // Typed key by key: the table re-renders on every key and the field must keep focus.
    await page.locator('#run-filter').pressSequentially('pretrained_g=false');
    expect(await page.inputValue('#run-filter')).toBe('pretrained_g=false');
    expect(await rowCount()).toBe(4);
    await page.locator('#run-filter').pressSequentially(' wasm');
    expect(await rowCount()).toBe(2);
    await page.fill('#run-filter', '');
    await page.selectOption('#status-filter', 'failed');
    expect(await rowCount()).toBe(1);
    expect(await page.locator('#runs tbody').textContent()).toContain('seed 1');
    expect(await page.textContent('#run-count')).toBe('1 of 8 runs');
    expect(errors).toEqual([]);
  });

  it('remembers the choice of columns across visits', async () => {
    await open('#/experiment/deblur-ablation');
    expect(await page.locator('th[data-col="stage"]').count()).toBe(1);
    expect(await page.locator('th[data-col="created"]').count()).toBe(0);
    await page.click('#column-chooser summary');
    await page.uncheck('input[data-column="stage"]');
    await page.check('input[data-column="created"]');
    expect(await page.locator('th[data-col="stage"]').count()).toBe(0);
    await page.reload();
    await rendered();
    expect(await page.locator('th[data-col="stage"]').count()).toBe(0);
    expect(await page.locator('th[data-col="created"]').count()).toBe(1);
    await page.evaluate(() => localStorage.removeItem('ugp.columns'));
    expect(errors).toEqual([]);
  });

  it('draws every metric of every stage of a run, with the best checkpoint marked', async () => {
    const run = filled.gridRuns[0]!;
    await open(`#/run/${run.id}`);
    const found = await charts();
    expect(found.map((c) => c.id)).toEqual([
      'run:restoration:psnr',
      'run:restoration:ssim',
      'run:restoration:loss',
      'run:synthesis:lpips_proxy',
      'run:synthesis:loss',
      'run:fusion:psnr',
      'run:fusion:lpips',
      'run:fusion:lpips_proxy',
      'run:fusion:loss',
    ]);
    const store = openStore(filled.db, { readonly: true });
    try {
      for (const chart of found) {
        const stage = chart.id.split(':')[1]!;
        for (const d of chart.datasets) {
          expect(d.role).toBe('value');
          const history = store.metricHistory(run.id, { stage, key: d.label });
          expect(d.points).toEqual(history.map((m) => [m.step, m.value]));
        }
      }
    } finally {
      store.close();
    }
    const byId = Object.fromEntries(found.map((c) => [c.id, c]));
    expect(byId['run:synthesis:loss']!.datasets.map((d) => d.label)).toEqual(['loss/d', 'loss/g']);
    // LPIPS and the proxy's values never share a chart, and the proxy is labelled as such.
    expect(byId['run:fusion:lpips']!.datasets.map((d) => d.label)).toEqual(['lpips']);
    expect(byId['run:fusion:lpips_proxy']!.datasets.map((d) => d.label)).toEqual(['lpips_proxy']);
    expect(byId['run:fusion:lpips_proxy']!.title).toContain('lpips_proxy');
    expect(byId['run:fusion:lpips']!.title).not.toContain('proxy');
    // Best checkpoints: restoration by max PSNR (750, not the last step), synthesis by min lpips_proxy;
    // a marker on every curve, with the value in its tooltip (≈ where the curve has no point there).
    expect(byId['run:restoration:psnr']!.datasets.map((d) => d.bestStep)).toEqual([750]);
    expect(byId['run:restoration:loss']!.datasets.map((d) => d.bestStep)).toEqual([750]);
    expect(byId['run:synthesis:lpips_proxy']!.datasets.map((d) => d.bestStep)).toEqual([600]);
    expect(byId['run:fusion:psnr']!.datasets.map((d) => d.bestStep)).toEqual([400]);
    const psnr = restorationPsnr(750, run.pretrainedR, run.seed).toFixed(2);
    expect(byId['run:restoration:psnr']!.markers.map((m) => m.entries)).toEqual([
      [`psnr: ${psnr} at step 750`],
    ]);
    expect(byId['run:restoration:loss']!.markers[0]!.entries[0]).toMatch(/^loss: ≈ -\d+\.\d+ at step 750$/);
    expectMarkersApart(found);
    // One legend per stage section instead of one per chart.
    expect(await page.locator('section[data-stage="synthesis"] .legend').count()).toBe(1);
    expect(await page.textContent('section[data-stage="synthesis"] .legend')).toContain('loss/g');

    const best = await page.$$eval('#best-checkpoints tbody tr', (rows) =>
      rows.map((r) => [r.getAttribute('data-stage'), r.querySelector('code.restore')?.textContent]),
    );
    expect(best).toEqual(
      ['restoration', 'synthesis', 'fusion'].map((stage) => [
        stage,
        restoreCommand(run.id, resolve(filled.db)),
      ]),
    );
    const images = await page.$$eval('.samples img', (imgs) =>
      imgs.map((img) => (img as HTMLImageElement).naturalWidth),
    );
    expect(images).toEqual([24, 24, 24]);
    expect(await page.textContent('#skipped-files')).toBe('3');
    // The test pass: scores per output, and the test images at fusion's best checkpoint.
    expect(await page.locator('#test-scores tbody tr').count()).toBe(3);
    expect(await loadedImages('#comparison tbody tr')).toEqual([[16, 16, 16, 16, 16]]);
    expect(errors).toEqual([]);
  });

  it('smooths curves with the slider (debiased EMA) and keeps the raw curve faint', async () => {
    const run = filled.gridRuns[0]!;
    await open(`#/run/${run.id}`);
    await page.$eval('#smoothing', (input) => {
      (input as HTMLInputElement).value = '0.5';
      input.dispatchEvent(new Event('change'));
    });
    const loss = (await charts()).find((c) => c.id === 'run:restoration:loss')!;
    expect(loss.datasets.map((d) => [d.label, d.role])).toEqual([
      ['loss (raw)', 'raw'],
      ['loss', 'smoothed'],
    ]);
    const raw = loss.datasets[0]!.points.map((p) => p[1]!);
    let ema = 0;
    const expected = raw.map((v, i) => {
      ema = 0.5 * ema + 0.5 * v;
      return ema / (1 - 0.5 ** (i + 1));
    });
    for (const [i, p] of loss.datasets[1]!.points.entries()) expect(p[1]).toBeCloseTo(expected[i]!, 10);
    await page.reload();
    await rendered();
    expect(await page.inputValue('#smoothing')).toBe('0.5');
    await page.evaluate(() => localStorage.removeItem('ugp.smoothing'));
    expect(errors).toEqual([]);
  });

  it('shows the ablation grid as mean ± std over seeds of the final PSNR and LPIPS', async () => {
    await open('#/grid/deblur-ablation');
    // The held-out test scores are the headline; the stages' validation values one choice away.
    expect(await page.inputValue('#grid-stage')).toBe('test');
    expect(await page.getAttribute('#grid-psnr', 'data-key')).toBe('I_F/psnr');
    await page.selectOption('#grid-stage', 'fusion');
    await page.selectOption('#grid-rows', 'pretrained_r');
    const read = (kind: string) =>
      page.$$eval(`#grid-${kind} td`, (tds) =>
        Object.fromEntries(
          tds.map((td) => [
            `${td.getAttribute('data-row')}|${td.getAttribute('data-col')}`,
            {
              mean: td.getAttribute('data-mean') ? Number(td.getAttribute('data-mean')) : null,
              std: td.getAttribute('data-std') ? Number(td.getAttribute('data-std')) : null,
              n: Number(td.getAttribute('data-n')),
            },
          ]),
        ),
      );
    const stats = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
    };
    const psnr = await read('psnr');
    const lpips = await read('lpips');
    for (const r of [true, false]) {
      for (const g of [true, false]) {
        const cell = `${r}|${g}`;
        if (!r && !g) {
          // One seed failed, the other is still in synthesis: no final fusion value yet.
          expect(psnr[cell]).toEqual({ mean: null, std: null, n: 0 });
          continue;
        }
        const want = stats([1, 2].map((seed) => fusionPsnr(400, r, g, seed)));
        expect(psnr[cell]!.n).toBe(2);
        expect(psnr[cell]!.mean).toBeCloseTo(want.mean, 10);
        expect(psnr[cell]!.std).toBeCloseTo(want.std, 10);
        expect(lpips[cell]!.mean).toBeCloseTo(
          stats([1, 2].map((seed) => fusionLpips(400, g, seed))).mean,
          10,
        );
      }
    }
    expect(await page.locator('#grid-lpips_proxy').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('grid.png'), fullPage: true });

    // Restoration: every cell has both seeds (the failed and the running run got that far).
    await page.selectOption('#grid-stage', 'restoration');
    const restoration = await read('psnr');
    const want = stats([1, 2].map((seed) => restorationPsnr(1000, false, seed)));
    expect(restoration['false|false']!.n).toBe(2);
    expect(restoration['false|false']!.mean).toBeCloseTo(want.mean, 10);
    await page.selectOption('#grid-mode', 'best');
    const best = await read('psnr');
    expect(best['false|false']!.mean).toBeCloseTo(
      stats([1, 2].map((seed) => restorationPsnr(750, false, seed))).mean,
      10,
    );
    expect(errors).toEqual([]);
  });

  it('compares runs: overlaid curves and samples at the same step', async () => {
    await open('#/experiment/deblur-ablation');
    await page.click('th[data-col="name"]');
    const [a, b] = [filled.gridRuns[0]!, filled.gridRuns[2]!];
    await page.check(`tr[data-run-id="${a.id}"] input.select-run`);
    await page.check(`tr[data-run-id="${b.id}"] input.select-run`);
    await page.click('#compare-selected');
    await page.waitForFunction(() => location.hash.startsWith('#/compare/'));
    expect(page.url()).toContain(`#/compare/${a.id},${b.id}`);
    const found = await charts();
    expect(found.map((c) => c.id)).toEqual([
      'compare:restoration:psnr',
      'compare:restoration:ssim',
      'compare:restoration:loss',
    ]);
    const psnr = found[0]!;
    expect(psnr.datasets.map((d) => d.label)).toEqual(['G pretrained', 'G random']);
    expect(psnr.datasets.map((d) => d.points.length)).toEqual([5, 5]);
    expect(psnr.datasets.map((d) => d.bestStep)).toEqual([750, 750]);
    // Both runs have the same restoration curve: their markers would coincide, so they are drawn as one
    // whose tooltip names both; no two markers overlap on any chart.
    expect(psnr.markers).toHaveLength(1);
    expect(psnr.markers[0]!.entries).toEqual(
      ['G pretrained', 'G random'].map(
        (l) => `${l}: ${restorationPsnr(750, true, 1).toFixed(2)} at step 750`,
      ),
    );
    expect(expectMarkersApart(found)).toBe(2 * found.length);
    expect(await page.locator('.legend').count()).toBe(1);
    const samples = () =>
      page.$$eval('.samples figure', (figs) =>
        figs.map((f) => [
          f.getAttribute('data-run-id'),
          (f.querySelector('img') as HTMLImageElement)?.naturalWidth,
        ]),
      );
    expect(await page.getAttribute('.samples', 'data-step')).toBe('1000');
    expect(await samples()).toEqual([
      [a.id, 24],
      [b.id, 24],
    ]);
    await page.selectOption('#compare-stage', 'fusion');
    expect(await page.getAttribute('.samples', 'data-step')).toBe('400');
    expect((await charts()).map((c) => c.id)).toEqual([
      'compare:fusion:psnr',
      'compare:fusion:lpips',
      'compare:fusion:lpips_proxy',
      'compare:fusion:loss',
    ]);
    await page.selectOption('select.sample-step', '200');
    expect(await page.getAttribute('.samples', 'data-step')).toBe('200');
    expect(await samples()).toEqual([
      [a.id, 24],
      [b.id, 24],
    ]);
    await page.screenshot({ path: screenshotPath('compare.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("shows a 2×2 grid's test images: a row per cell, LQ | I_R | I_G | I_F | GT, 4× on click, a wipe between two", async () => {
    await open('#/grid/demo-ablation');
    const heads = await page.$$eval('#comparison thead th', (ths) => ths.map((th) => th.textContent));
    expect(heads).toEqual(['', 'LQ', 'I_R', 'I_G', 'I_F', 'GT']);
    expect(await page.inputValue('#comparison select.image-stage')).toBe('fusion');
    expect(await loadedImages('#comparison tbody tr')).toEqual(
      Array.from({ length: 4 }, () => [16, 16, 16, 16, 16]),
    );
    const rowLabels = await page.$$eval('#comparison tbody th.row-label a', (as) =>
      as.map((a) => a.textContent),
    );
    expect(new Set(rowLabels).size).toBe(4);
    expect(await page.locator('#comparison button[data-index]').count()).toBe(TEST_IMAGE_COUNT);

    // Another test image, another stage: restoration's best checkpoint has no I_G or I_F.
    await page.click('#comparison button[data-index="1"]');
    const srcs = await page.$$eval('#comparison tbody img', (imgs) => imgs.map((i) => i.getAttribute('src')));
    expect(srcs.every((src) => /test-01-/.test(src!))).toBe(true);
    await page.selectOption('#comparison select.image-stage', 'restoration');
    expect(await loadedImages('#comparison tbody tr')).toEqual(Array.from({ length: 4 }, () => [16, 16, 16]));
    expect(await page.textContent('#comparison tbody td[data-column="I_F"]')).toBe('–');
    await page.selectOption('#comparison select.image-stage', 'fusion');

    // Click: the image at 4× with nearest-neighbour scaling.
    await page.click('#comparison tbody tr:nth-child(2) td[data-column="I_F"] img');
    const zoomed = await page.$eval('.zoom img', (img) => ({
      width: img.getBoundingClientRect().width,
      natural: (img as HTMLImageElement).naturalWidth,
      rendering: getComputedStyle(img).imageRendering,
    }));
    expect(zoomed).toEqual({ width: 64, natural: 16, rendering: 'pixelated' });
    await page.screenshot({ path: screenshotPath('grid-zoom.png') });
    await page.keyboard.press('Escape');
    expect(await page.locator('.zoom').count()).toBe(0);

    // The wipe: B's I_F over A's, clipped at the slider; flip shows one wholly.
    const a = await page.$eval('.flip-frame img.flip-a', (i) => i.getAttribute('src'));
    const b = await page.$eval('.flip-frame img.flip-b', (i) => i.getAttribute('src'));
    expect(a).not.toBe(b);
    expect(await page.$eval('.flip-frame', (f) => f.getBoundingClientRect().width)).toBe(64);
    await page.$eval('.flip input.wipe', (input) => {
      (input as HTMLInputElement).value = '25';
      input.dispatchEvent(new Event('input'));
    });
    expect(await page.$eval('img.flip-b', (i) => (i as HTMLElement).style.clipPath)).toBe(
      'inset(0px 0px 0px 25%)',
    );
    await page.click('.flip-button');
    expect(await page.$eval('img.flip-b', (i) => (i as HTMLElement).style.clipPath)).toBe(
      'inset(0px 0px 0px 100%)',
    );
    await page.screenshot({ path: screenshotPath('grid-demo.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('keeps best-checkpoint markers apart on the compare page and shows their values on hover', async () => {
    await open(`#/compare/${filled.demoGridRuns.map((r) => r.id).join(',')}`);
    for (const stage of ['restoration', 'synthesis', 'fusion']) {
      await page.selectOption('#compare-stage', stage);
      const found = await charts();
      expect(found.length).toBeGreaterThan(0);
      // Every run's marker is shown on every chart, some merged, none overlapping.
      expect(expectMarkersApart(found), stage).toBe(4 * found.length);
    }
    const [psnr] = (await charts()).filter((c) => c.id === 'compare:fusion:I_F/psnr');
    const marker = psnr!.markers[0]!;
    const canvas = page.locator('canvas[data-chart="compare:fusion:I_F/psnr"]');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + (marker.left + marker.right) / 2, box.y + (marker.top + marker.bottom) / 2);
    const tip = page.locator('canvas[data-chart="compare:fusion:I_F/psnr"] ~ .marker-tip');
    await tip.waitFor({ state: 'visible' });
    expect(await tip.textContent()).toContain(marker.entries[0]!);
    expect(marker.entries[0]).toMatch(
      /^R (pretrained|random) · G (pretrained|random): \d+\.\d\d at step \d+$/,
    );
    await page.screenshot({ path: screenshotPath('compare-markers.png'), fullPage: true });
    await page.mouse.move(0, 0);
    await tip.waitFor({ state: 'hidden' });
    expect(await loadedImages('#comparison tbody tr')).toHaveLength(4);
    expect(errors).toEqual([]);
  });

  it('renders stored strings as text, never as markup', async () => {
    await open(`#/run/${filled.demoRunId}`);
    expect(await page.textContent('h1')).toContain(NASTY_NAME);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // NaN and Infinity are gaps in the curve, and a missing sample file is reported, not requested.
    const [loss] = await charts();
    expect(loss!.datasets[0]!.points.map((p) => p[1])).toEqual([1, 1 / 11, null, null, 1 / 41, 1 / 51]);
    expect(await page.textContent('.samples')).toContain('missing file samples/gone.png');
    await page.screenshot({ path: screenshotPath('run.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});

describe('live server', () => {
  let server: DashboardServer;

  beforeAll(async () => {
    server = await serveDashboard({ db: filled.db, port: 0, pollMs: 150 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the same pages and images with no console errors (CSP included)', async () => {
    await page.goto(`${server.url}#/grid/deblur-ablation`);
    await rendered();
    expect(await page.locator('#grid-psnr td').count()).toBe(4);
    // Test images through the server: three cells have a finished run of seed 1 (the fourth failed).
    const rows = await loadedImages('#comparison tbody tr');
    expect(rows.map((r) => r.length)).toEqual([5, 5, 5, 0]);
    expect(rows.flat().every((w) => w === 16)).toBe(true);
    await page.goto(`${server.url}#/run/${filled.gridRuns[1]!.id}`);
    await rendered();
    const images = await page.$$eval('.samples img', (imgs) =>
      imgs.map((img) => (img as HTMLImageElement).naturalWidth),
    );
    expect(images).toEqual([24, 24, 24]);
    expect(errors).toEqual([]);
  });

  it('refreshes the curves while a run trains', async () => {
    await page.goto(`${server.url}#/run/${filled.demoRunId}`);
    await rendered();
    const points = async () => (await charts())[0]!.datasets[0]!.points.length;
    const before = await points();
    const writer = openStore(filled.db);
    try {
      writer.logMetrics(filled.demoRunId, 'restoration', 1000, { 'loss/psnr': 0.001 });
      writer.logMetrics(filled.demoRunId, 'restoration', 1010, { 'loss/psnr': 0.0009 });
    } finally {
      writer.close();
    }
    await page.waitForFunction(
      (n) => {
        // biome-ignore lint/suspicious/noExplicitAny: chart.js is a global of the page.
        const chart = (window as any).Chart.getChart(document.querySelector('canvas[data-chart]'));
        return chart?.data.datasets[0].data.length === n;
      },
      before + 2,
      { timeout: 10_000 },
    );
    expect(await points()).toBe(before + 2);
    expect(await page.textContent('#live-status')).toBe('live');
    expect(errors).toEqual([]);
  });
});
