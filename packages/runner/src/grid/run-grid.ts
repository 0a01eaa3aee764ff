// `ugp grid run` and `ugp demo` alike: queue the grid, make its priors once, train the cells (in this
// process or with a pool of worker processes) and say honestly how it ended. A grid with cells left
// unfinished never ends with exit code 0.
import { UserError } from '@ugpnet/core';
import type { QueueReport, Run, RunStatus, TrackingStore } from '@ugpnet/store';
import { cellRunId } from '@ugpnet/store';
import { preflightGrid } from '../experiment/grid-cells.js';
import { expandGrid, type GridCell } from './expand.js';
import { runWorkerPool, type WorkerCommand, type WorkerExit } from './pool.js';
import { prepareGridPriors } from './priors.js';
import { queueGrid } from './queue.js';
import { type GridSpec, readGridSpec } from './spec.js';
import { type CellRunner, runWorker } from './worker.js';

export const DEFAULT_MAX_ATTEMPTS = 3;

export interface RunGridOptions {
  store: TrackingStore;
  specFile: string;
  /** The parsed spec (default: read from specFile). */
  spec?: GridSpec;
  /** Worker processes; 1 (default) trains in this process. */
  workers?: number;
  /** Loads the cell runner for a worker in this process (and starts the backend it needs). */
  cellRunner: () => Promise<CellRunner>;
  /** How to start worker process `index` (needed when workers > 1). */
  workerCommand?: (index: number) => WorkerCommand;
  workerEnv?: NodeJS.ProcessEnv;
  /** GPU ids, one per worker process in turn. */
  gpus?: string[];
  /** A cell is started at most this many times (a worker dying, an interruption); default 3. */
  maxAttempts?: number;
  retryFailed?: boolean;
  /** Queue and train only this cell (a Slurm array task). */
  cell?: number;
  /** Running cells silent for this long count as dead (a Slurm task owns its store: 0). */
  staleAfterMs?: number;
  /** Check every cell's experiment before queueing anything (the three-stage trainer). */
  preflight?: boolean;
  /** Make the grid's priors before any cell starts (the three-stage trainer; not a custom runner). */
  preparePriors?: boolean;
  /** Stops the work at the next safe point (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Where worker process output goes (default: prefixed `[wI] ` on this process's streams). */
  workerOutput?: (index: number, line: string, stream: 'stdout' | 'stderr') => void;
}

export interface GridRunResult {
  grid: string;
  /** Cells this call was responsible for (one with `cell`). */
  cells: GridCell[];
  queued: QueueReport;
  progress: Record<RunStatus, number> & { total: number };
  interrupted: boolean;
  /** Why cells are left unfinished (one line); undefined when every cell finished. */
  unfinished?: string;
  /** 0 all finished, 1 cells left unfinished, 130 interrupted. */
  exitCode: 0 | 1 | 130;
  /** Worker process exits (a pool only). */
  workerExits: WorkerExit[];
}

function wholeNumber(flag: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new UserError(`${flag} must be a whole number >= 1, got ${value}`);
  return v;
}

export async function runGrid(options: RunGridOptions): Promise<GridRunResult> {
  const { store, specFile } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spec = options.spec ?? readGridSpec(specFile);
  const workers = wholeNumber('--workers', options.workers, 1);
  const maxAttempts = wholeNumber('--max-attempts', options.maxAttempts, DEFAULT_MAX_ATTEMPTS);
  const all = expandGrid(spec);
  if (options.cell !== undefined && !all.some((c) => c.index === options.cell)) {
    throw new UserError(`--cell ${options.cell}: ${specFile} has cells 0..${all.length - 1}`);
  }
  if (workers > 1 && options.cell === undefined && !options.workerCommand) {
    throw new Error('runGrid: workers > 1 needs a workerCommand');
  }
  // A cell that cannot train stops the grid before anything is queued.
  if (options.preflight) preflightGrid(spec, specFile);

  const { cells, report } = queueGrid(store, spec, {
    specFile,
    retryFailed: options.retryFailed,
    only: options.cell === undefined ? undefined : [options.cell],
    staleAfterMs: options.staleAfterMs,
  });
  const k = report.kept;
  log(
    `grid ${spec.name}: ${cells.length} cells; ${report.created.length} new, ${report.requeued.length} requeued, ` +
      `${k.finished} finished, ${k.running} running elsewhere, ${k.scheduled} waiting` +
      (k.failed ? `, ${k.failed} failed (--retry-failed to rerun)` : ''),
  );

  const runCell = await options.cellRunner();
  const stopped = () => options.signal?.aborted ?? false;
  if (options.preparePriors && options.cell === undefined) {
    // Priors once, here (with every thread), before any worker starts.
    await prepareGridPriors({ store, spec, specFile, log, shouldStop: stopped });
  }

  let interrupted = stopped();
  let workerExits: WorkerExit[] = [];
  const runIds = options.cell === undefined ? undefined : [cellRunId(spec.name, cells[0]!.id)];
  if (interrupted) {
    // Stopped while making priors: nothing more to start.
  } else if (workers === 1 || runIds) {
    const report = await runWorker({
      store,
      gridId: spec.name,
      runCell,
      runIds,
      signal: options.signal,
      maxAttempts,
      staleAfterMs: options.staleAfterMs,
      log,
    });
    interrupted = report.interrupted;
  } else {
    workerExits = await runWorkerPool({
      workers,
      command: options.workerCommand!,
      env: options.workerEnv,
      gpus: options.gpus,
      output: options.workerOutput,
      // Each death costs the cell it held one attempt, so this bounds the restarts; a worker that
      // dies before claiming anything still cannot loop forever.
      maxRestarts: all.length * maxAttempts,
      hasWork: () =>
        !stopped() &&
        (store.gridProgress(spec.name).byStatus.scheduled > 0 ||
          store.staleRuns({ gridId: spec.name }).length > 0),
    });
    // Only a signal to this process interrupts the grid; a worker killed on its own leaves its cell
    // killed (resumed by the next `grid run`), reported below.
    interrupted = stopped();
  }

  const runs = new Map(store.listRuns({ gridId: spec.name }).map((r) => [r.cellId, r]));
  const mine = cells.map((c) => runs.get(c.id));
  const progress = { total: mine.length, scheduled: 0, running: 0, finished: 0, failed: 0, killed: 0 };
  for (const run of mine) progress[run?.status ?? 'scheduled'] += 1;
  log(
    `grid ${spec.name}: ${progress.finished}/${progress.total} finished, ${progress.failed} failed, ` +
      `${progress.killed} killed, ${progress.running} running, ${progress.scheduled} waiting`,
  );
  const unfinished = interrupted
    ? 'interrupted'
    : whyUnfinished(store, cells, mine, workerExits, maxAttempts);
  if (unfinished && !interrupted) log(`grid ${spec.name}: ${unfinished}`);
  return {
    grid: spec.name,
    cells,
    queued: report,
    progress,
    interrupted,
    unfinished,
    exitCode: interrupted ? 130 : unfinished ? 1 : 0,
    workerExits,
  };
}

/** One line naming each unfinished cell and why (at most a few; the rest counted). */
function whyUnfinished(
  store: TrackingStore,
  cells: GridCell[],
  runs: (Run | undefined)[],
  exits: WorkerExit[],
  maxAttempts: number,
): string | undefined {
  const dead = new Set(store.staleRuns().map((r) => r.id));
  const restarts = exits.reduce((n, e) => n + e.restarts, 0);
  const reasons: string[] = [];
  cells.forEach((cell, i) => {
    const run = runs[i];
    if (run?.status === 'finished') return;
    let why: string;
    if (!run || run.status === 'scheduled')
      why = exits.length
        ? `still waiting: no worker left (${restarts} worker restarts, the last exits: ${describeExits(exits)})`
        : 'still waiting';
    else if (run.status === 'running')
      why = dead.has(run.id)
        ? `held by a dead worker after attempt ${run.attempts} of ${maxAttempts}`
        : `running in another process (${run.worker?.name ?? 'unknown'})`;
    else why = `${run.status}${run.failure ? `: ${run.failure}` : ''}`;
    reasons.push(`cell ${cell.index} (${cell.name}) ${why}`);
  });
  if (reasons.length === 0) return undefined;
  const shown = reasons.slice(0, 4).join('; ');
  return `${reasons.length} of ${cells.length} cells unfinished: ${shown}${reasons.length > 4 ? `; and ${reasons.length - 4} more` : ''}`;
}

function describeExits(exits: WorkerExit[]): string {
  return exits.map((e) => `w${e.index} ${e.signal ?? `code ${e.code}`}`).join(', ');
}
