// One owner per run. Whoever trains a run (`ugp train`, `ugp resume`, a grid worker, a prior run made
// on the way) first acquires it in the store (the same claim and heartbeat grid workers use), so two
// processes never train the same run at once; a holder that died (pid gone, or silent for half an
// hour on another host) is taken over and the run resumes where it stopped.
import { UserError } from '@ugpnet/core';
import { currentWorker, describeHolder, type Run, type TrackingStore, type WorkerInfo } from '@ugpnet/store';

/** A live process holds the run this one asked for. */
export class RunHeldError extends UserError {
  constructor(run: Run, what = `run ${run.id}`) {
    super(
      `${what} is being trained by ${describeHolder(run)}; wait for it to finish, or stop that process (ugp resume ${run.id.slice(0, 8)} continues it)`,
    );
  }
}

/** This process's identity as a holder (grid workers name themselves through UGP_WORKER_NAME). */
export function thisWorker(): WorkerInfo {
  return currentWorker(process.env.UGP_WORKER_NAME);
}

/** Whether `worker` holds the run now. */
export function holds(store: TrackingStore, runId: string, worker: WorkerInfo = thisWorker()): boolean {
  const run = store.getRun(runId);
  return run?.status === 'running' && run.worker?.pid === worker.pid && run.worker.host === worker.host;
}

export interface Hold {
  /** True once another process took the run over (this one must stop writing to it). */
  lost(): boolean;
  release(): void;
}

/** Keeps the claim alive with a heartbeat every `everyMs` while this process trains the run. */
export function keepHolding(
  store: TrackingStore,
  runId: string,
  worker: WorkerInfo = thisWorker(),
  everyMs = 30_000,
): Hold {
  let lost = false;
  const beat = setInterval(() => {
    if (!lost && store.db.open) lost = !store.renewClaim(runId, worker);
  }, everyMs);
  beat.unref();
  return { lost: () => lost, release: () => clearInterval(beat) };
}

/**
 * Waits until no live process holds `runId`, then acquires it; returns undefined when the holder
 * finished it meanwhile. For prior runs: the run cannot start without them, so waiting is the point.
 */
export async function acquireWhenFree(
  store: TrackingStore,
  runId: string,
  log?: (line: string) => void,
  pollMs = 2000,
): Promise<Run | undefined> {
  const worker = thisWorker();
  let said = false;
  for (;;) {
    const got = store.acquireRun(runId, worker);
    if (got.status === 'finished') return undefined;
    if (got.status === 'claimed') return got.run;
    if (!said) log?.(`waiting for run ${runId.slice(0, 8)}: held by ${describeHolder(got.run)}`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
