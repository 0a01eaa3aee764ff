// `ugp demo`: the pretrained-vs-random ablation (supplement S.5) end to end on the embedded
// default — procedural portraits, priors made (or reused), the 2×2 grid through all three
// stages in worker processes, a held-out evaluation of every cell, and a results table.
// Re-running resumes: finished priors, cells and evaluations are reused.
import { resolve } from 'node:path';
import type { TrackingStore } from '@ugpnet/store';
import { evaluateRun, TEST_STAGE } from './evaluate.js';
import { queueGrid, readGridSpec, runWorker, runWorkerPool, type WorkerCommand } from './grid/index.js';
import { trainCell } from './cell.js';
import { prepareGridPriors } from './grid-priors.js';

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
  const gridFile = resolve(options.gridFile);
  const spec = readGridSpec(gridFile);

  // 1–2. Priors once, in this process (with every thread), before workers start.
  await prepareGridPriors({ store, spec, specFile: gridFile, log, shouldStop: options.shouldStop });
  if (options.shouldStop?.()) return [];

  // 3. The grid: queued (finished cells are skipped, unfinished resumed), then trained.
  const { grid } = queueGrid(store, spec, { specFile: gridFile });
  if (options.workers > 1) {
    await runWorkerPool({
      workers: options.workers,
      command: options.workerCommand,
      env: { ...process.env, UGP_THREADS: '1' },
      hasWork: () => store.gridProgress(grid.id).byStatus.scheduled > 0,
    });
  } else {
    const controller = new AbortController();
    const timer = setInterval(() => options.shouldStop?.() && controller.abort('signal'), 200);
    try {
      await runWorker({ store, gridId: grid.id, runCell: trainCell, signal: controller.signal, log });
    } finally {
      clearInterval(timer);
    }
  }

  // 4. Held-out evaluation of every finished cell (once).
  const rows: DemoRow[] = [];
  for (const run of store.listRuns({ gridId: grid.id })) {
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
