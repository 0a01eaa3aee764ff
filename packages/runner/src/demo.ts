// `ugp demo`: the pretrained-vs-random ablation (supplement S.5) end to end on the embedded
// default — procedural portraits, priors made (or reused), the 2×2 grid through all three
// stages in worker processes, a held-out evaluation of every cell, and a results table.
// Re-running resumes: finished priors, cells and evaluations are reused.
import { resolve } from 'node:path';
import type { TrackingStore } from '@ugpnet/store';
import { evaluateRun, TEST_STAGE } from './evaluate.js';
import { runGrid, trainCell, type WorkerCommand } from './grid/index.js';

export interface DemoOptions {
  store: TrackingStore;
  /** The grid file (experiments/demo-ablation.yaml, or demo-quick-ablation.yaml for --quick). */
  gridFile: string;
  /** Worker processes for the grid; 1 trains in this process. */
  workers: number;
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

export async function runDemo(options: DemoOptions): Promise<DemoRow[]> {
  const { store, log } = options;
  // 1–3. Priors once, then the 2×2 grid: queued (finished cells skipped, unfinished resumed), trained.
  const controller = new AbortController();
  const timer = setInterval(() => options.shouldStop?.() && controller.abort('signal'), 200);
  let grid: string;
  try {
    const result = await runGrid({
      store,
      specFile: resolve(options.gridFile),
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

/** The results table: PSNR, SSIM and LPIPS (or lpips_proxy) of I_R, I_G and I_F per cell, R-major. */
export function formatDemoTable(rows: DemoRow[]): string {
  const lpipsKey = rows.some((r) => Object.keys(r.metrics).some((k) => k.endsWith('/lpips')))
    ? 'lpips'
    : 'lpips_proxy';
  const columns = ['I_R', 'I_G', 'I_F'].flatMap((o) => [`${o}/psnr`, `${o}/ssim`, `${o}/${lpipsKey}`]);
  const header = ['regression', 'generator', 'status', ...columns];
  const label = (r: DemoRow) => `${r.params['init.regression']}/${r.params['init.generator']}`;
  const sorted = [...rows].sort((a, b) => (label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : 0));
  const body = sorted.map((r) => [
    String(r.params['init.regression'] ?? ''),
    String(r.params['init.generator'] ?? ''),
    r.status,
    ...columns.map((c) =>
      r.metrics[c] === undefined ? '' : r.metrics[c]!.toFixed(c.endsWith('psnr') ? 2 : 4),
    ),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
