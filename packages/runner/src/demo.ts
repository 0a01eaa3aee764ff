// `ugp demo`: the pretrained-vs-random ablation (supplement S.5) end to end on the embedded
// default — procedural portraits, priors made (or reused), the 2×2 grid through all three
// stages in worker processes, a held-out evaluation of every cell, and a results table.
// Re-running resumes: finished priors, cells and evaluations are reused.
import { resolve } from 'node:path';
import { UserError } from '@ugpnet/core';
import type { TrackingStore } from '@ugpnet/store';
import { evaluateRun, TEST_STAGE } from './evaluate.js';
import { type GridSpec, readGridSpec, runGrid, trainCell, type WorkerCommand } from './grid/index.js';

export interface DemoOptions {
  store: TrackingStore;
  /** The grid file (experiments/demo-ablation.yaml, or demo-quick-ablation.yaml for --quick). */
  gridFile: string;
  /** Worker processes for the grid; 1 trains in this process. */
  workers: number;
  /** Seeds per cell (default 1: the grid file's seeds); N > 1 sweeps N consecutive seeds from the file's first. */
  seeds?: number;
  /** How to start worker `index` (a `ugp grid worker` process). */
  workerCommand: (index: number) => WorkerCommand;
  shouldStop?: () => boolean;
  log: (line: string) => void;
}

export interface DemoRow {
  runId: string;
  cell: string;
  params: Record<string, unknown>;
  status: string;
  metrics: Record<string, number>;
}

/** The grid file's spec with `seeds` consecutive seeds (the file's own seeds when 1). */
export function demoGridSpec(gridFile: string, seeds = 1): GridSpec {
  if (!Number.isInteger(seeds) || seeds < 1)
    throw new UserError(`--seeds must be a whole number >= 1, got ${seeds}`);
  const spec = readGridSpec(gridFile);
  if (seeds === 1) return spec;
  const first = spec.seeds?.[0] ?? 1;
  return { ...spec, seeds: Array.from({ length: seeds }, (_, i) => first + i) };
}

export async function runDemo(options: DemoOptions): Promise<DemoRow[]> {
  const { store, log } = options;
  const specFile = resolve(options.gridFile);
  const spec = demoGridSpec(specFile, options.seeds);
  // 1–3. Priors once, then the 2×2 grid: queued (finished cells skipped, unfinished resumed), trained.
  const controller = new AbortController();
  const timer = setInterval(() => options.shouldStop?.() && controller.abort('signal'), 200);
  let grid: string;
  try {
    const result = await runGrid({
      store,
      specFile,
      // Workers take the queued cells from the store, so extra seeds need no change to their command.
      spec,
      workers: options.workers,
      workerCommand: options.workerCommand,
      // Workers share the cores; the priors, made here first, use them all.
      workerEnv: { UGP_THREADS: '1' },
      cellRunner: async () => trainCell,
      preflight: true,
      preparePriors: true,
      signal: controller.signal,
      log,
    });
    grid = result.grid;
    if (result.interrupted) return [];
  } finally {
    clearInterval(timer);
  }

  // 4. Held-out evaluation of every finished cell (once).
  const rows: DemoRow[] = [];
  for (const run of store.listRuns({ gridId: grid })) {
    let metrics: Record<string, number> = {};
    if (run.status === 'finished') {
      const logged = store.metricHistory(run.id, { stage: TEST_STAGE });
      metrics = logged.length
        ? Object.fromEntries(logged.map((m) => [m.key, m.value]))
        : await evaluateRun(store, run.id);
    }
    rows.push({ runId: run.id, cell: run.name, params: run.cellParams, status: run.status, metrics });
  }
  return rows;
}

/** Mean and sample standard deviation (n − 1), as the dashboard's grid view shows them. */
function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

/**
 * The results table: PSNR, SSIM and LPIPS (or lpips_proxy) of I_R, I_G and I_F per cell, R-major;
 * with several seeds, one row per seed and a mean ± std row per cell.
 */
export function formatDemoTable(rows: DemoRow[]): string {
  const lpipsKey = rows.some((r) => Object.keys(r.metrics).some((k) => k.endsWith('/lpips')))
    ? 'lpips'
    : 'lpips_proxy';
  const columns = ['I_R', 'I_G', 'I_F'].flatMap((o) => [`${o}/psnr`, `${o}/ssim`, `${o}/${lpipsKey}`]);
  const multiSeed = new Set(rows.map((r) => r.params.seed)).size > 1;
  const header = ['regression', 'generator', ...(multiSeed ? ['seed'] : []), 'status', ...columns];
  const label = (r: DemoRow) => `${r.params['init.regression']}/${r.params['init.generator']}`;
  const seedOf = (r: DemoRow) => Number(r.params.seed ?? 0);
  const sorted = [...rows].sort((a, b) =>
    label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : seedOf(a) - seedOf(b),
  );
  const digits = (c: string) => (c.endsWith('psnr') ? 2 : 4);
  const inits = (r: DemoRow) => [
    String(r.params['init.regression'] ?? ''),
    String(r.params['init.generator'] ?? ''),
  ];
  const body: string[][] = [];
  sorted.forEach((r, i) => {
    body.push([
      ...inits(r),
      ...(multiSeed ? [String(r.params.seed ?? '')] : []),
      r.status,
      ...columns.map((c) => (r.metrics[c] === undefined ? '' : r.metrics[c]!.toFixed(digits(c)))),
    ]);
    const next = sorted[i + 1];
    if (!multiSeed || (next && label(next) === label(r))) return;
    // The last seed of a cell: its mean ± std over the seeds that have the metric.
    const group = sorted.filter((g) => label(g) === label(r));
    body.push([
      ...inits(r),
      'mean±std',
      `n=${group.filter((g) => g.status === 'finished').length}`,
      ...columns.map((c) => {
        const xs = group.map((g) => g.metrics[c]).filter((v): v is number => v !== undefined);
        if (xs.length === 0) return '';
        const { mean, std } = meanStd(xs);
        return `${mean.toFixed(digits(c))}±${std.toFixed(digits(c))}`;
      }),
    ]);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
