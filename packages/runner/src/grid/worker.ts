// A grid worker: claims runs of a grid one at a time and runs each through an injected cell runner
// (the three-stage trainer in production, a test double in tests). It records how each run ended:
// finished when the runner returns, failed with the error when it throws, killed when it was interrupted.
// Imports only the store (no tfjs), so workers start fast and tests can bundle it.
import type { Grid, Run, TrackingStore, WorkerInfo } from '@ugpnet/store';
import { currentWorker } from '@ugpnet/store';

export interface CellContext {
  store: TrackingStore;
  /** The claimed run (status 'running'; attempts > 1 means it resumes). */
  run: Run;
  grid: Grid;
  worker: WorkerInfo;
  /** Aborted on SIGINT/SIGTERM: stop at the next safe point (after a checkpoint) and return or throw. */
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Trains one cell. It may end the run itself (e.g. failed on a NaN loss); otherwise the worker does. */
export type CellRunner = (context: CellContext) => Promise<void>;

export interface WorkerOptions {
  store: TrackingStore;
  gridId: string;
  runCell: CellRunner;
  worker?: WorkerInfo;
  signal?: AbortSignal;
  /** Restrict to these runs (e.g. one SLURM cell); default: any run of the grid. */
  runIds?: string[];
  /** How often the held run's heartbeat is refreshed (default 30 s). */
  heartbeatMs?: number;
  /** A cell whose worker died this many times is failed instead of claimed again (default 3). */
  maxAttempts?: number;
  /** Treat runs held by workers on other hosts as dead after this long without a heartbeat. */
  staleAfterMs?: number;
  log?: (line: string) => void;
}

export interface WorkerOutcome {
  runId: string;
  name: string;
  status: Run['status'];
  failure: string | null;
}

export interface WorkerReport {
  worker: WorkerInfo;
  runs: WorkerOutcome[];
  /** True when it stopped because of the abort signal. */
  interrupted: boolean;
}

export async function runWorker(options: WorkerOptions): Promise<WorkerReport> {
  const { store, gridId, runCell } = options;
  const worker = options.worker ?? currentWorker(process.env.UGP_WORKER_NAME);
  const signal = options.signal ?? new AbortController().signal;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const claimOptions = { maxAttempts: options.maxAttempts ?? 3, staleAfterMs: options.staleAfterMs };
  const grid = store.getGrid(gridId);
  if (!grid) throw new Error(`grid '${gridId}' is not in the store (queue it first)`);
  const outcomes: WorkerOutcome[] = [];

  const claim = (): Run | undefined => {
    if (!options.runIds) return store.claimNextRun(gridId, worker, claimOptions);
    for (const id of options.runIds) {
      const run = store.claimRun(id, worker, claimOptions);
      if (run) return run;
    }
    return undefined;
  };

  while (!signal.aborted) {
    const run = claim();
    if (!run) break;
    log(
      `${worker.name}: ${run.attempts > 1 ? 'resuming' : 'starting'} ${run.name} (run ${run.id.slice(0, 8)}, attempt ${run.attempts})`,
    );
    const beat = setInterval(() => store.heartbeat(run.id), options.heartbeatMs ?? 30_000);
    beat.unref();
    let error: unknown;
    try {
      await runCell({ store, run, grid, worker, signal, log });
    } catch (err) {
      error = err;
    } finally {
      clearInterval(beat);
    }
    const after = store.getRun(run.id);
    // Only end the run if we still hold it and the runner did not end it itself.
    if (
      after &&
      after.status === 'running' &&
      after.worker?.pid === worker.pid &&
      after.worker.host === worker.host
    ) {
      if (signal.aborted)
        store.endRun(run.id, 'killed', `interrupted (${String(signal.reason ?? 'signal')})`);
      else if (error !== undefined) store.endRun(run.id, 'failed', describeError(error));
      else store.endRun(run.id, 'finished');
    }
    const ended = store.getRun(run.id);
    const outcome = {
      runId: run.id,
      name: run.name,
      status: ended?.status ?? 'failed',
      failure: ended?.failure ?? null,
    };
    outcomes.push(outcome);
    log(`${worker.name}: ${run.name} ${outcome.status}${outcome.failure ? `: ${outcome.failure}` : ''}`);
  }
  return { worker, runs: outcomes, interrupted: signal.aborted };
}

function describeError(err: unknown): string {
  if (err instanceof Error)
    return err.name === 'Error' || err.name === 'UserError' ? err.message : `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * An AbortSignal fired by SIGINT or SIGTERM. A second signal more than a second later exits at once
 * (the run stays 'running' under a dead pid and is resumed by the next claim); a duplicate within a
 * second (the terminal and the pool both forwarding Ctrl-C) is ignored.
 */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let first = 0;
  const handler = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      first = Date.now();
      controller.abort(sig);
    } else if (Date.now() - first > 1000) {
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
