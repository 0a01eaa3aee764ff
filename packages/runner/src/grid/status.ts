// `ugp grid status FILE`: cells × stages, with each stage's state and best validation metric.
import type { BestMode, Run, RunStatus, TrackingStore } from '@ugpnet/store';
import { expandGrid } from './expand.js';
import type { AxisValue, GridSpec } from './spec.js';

export type StageState = 'pending' | 'running' | 'done' | 'failed' | 'killed';

export interface StageStatus {
  stage: string;
  state: StageState;
  /** Highest step logged in this stage. */
  step: number | null;
  /** Best checkpoint's value of the selection metric (or the best logged value when no checkpoint has it). */
  best: { metric: string; value: number; step: number } | null;
}

export interface CellStatus {
  index: number;
  cellId: string;
  name: string;
  params: Record<string, AxisValue>;
  runId: string | null;
  /** 'missing' when the cell was never queued in this store. */
  status: RunStatus | 'missing';
  attempts: number;
  worker: string | null;
  failure: string | null;
  stages: StageStatus[];
}

export interface GridStatus {
  grid: string;
  stages: string[];
  metric: string;
  mode: BestMode;
  counts: Record<RunStatus | 'missing', number>;
  cells: CellStatus[];
}

export interface GridStatusOptions {
  /** Stage order (e.g. the experiment's stages_to_run); default: stages in the order they were first logged. */
  stages?: string[];
  metric?: string;
  mode?: BestMode;
}

export function gridStatus(
  store: TrackingStore,
  spec: GridSpec,
  options: GridStatusOptions = {},
): GridStatus {
  const metric = options.metric ?? 'psnr';
  const mode = options.mode ?? 'max';
  const runs = new Map<string, Run>();
  for (const run of store.listRuns({ gridId: spec.name })) if (run.cellId) runs.set(run.cellId, run);
  const cells = expandGrid(spec);

  const seen: { stage: string; first: number }[] = [];
  const perRun = new Map<string, { stage: string; step: number }[]>();
  for (const run of runs.values()) {
    const latest = store.latestMetrics([run.id]);
    const byStage = new Map<string, { step: number; first: number }>();
    for (const m of latest) {
      const s = byStage.get(m.stage);
      byStage.set(m.stage, {
        step: Math.max(s?.step ?? 0, m.step),
        first: Math.min(s?.first ?? Infinity, m.timestamp),
      });
    }
    perRun.set(
      run.id,
      [...byStage].map(([stage, s]) => ({ stage, step: s.step })),
    );
    for (const [stage, s] of byStage) {
      const known = seen.find((x) => x.stage === stage);
      if (!known) seen.push({ stage, first: s.first });
      else known.first = Math.min(known.first, s.first);
    }
  }
  const stages = options.stages ?? seen.sort((a, b) => a.first - b.first).map((s) => s.stage);

  const counts = { scheduled: 0, running: 0, finished: 0, failed: 0, killed: 0, missing: 0 };
  const out: CellStatus[] = cells.map((cell) => {
    const run = runs.get(cell.id);
    counts[run?.status ?? 'missing'] += 1;
    const logged = new Map((run ? perRun.get(run.id) : undefined)?.map((s) => [s.stage, s.step]));
    // The stage in progress: as recorded by the trainer, else the last stage that logged anything.
    const current = run?.stage ?? stages.filter((s) => logged.has(s)).at(-1) ?? null;
    return {
      index: cell.index,
      cellId: cell.id,
      name: cell.name,
      params: cell.params,
      runId: run?.id ?? null,
      status: run?.status ?? 'missing',
      attempts: run?.attempts ?? 0,
      worker: run?.worker?.name ?? null,
      failure: run?.failure ?? null,
      stages: stages.map((stage) => ({
        stage,
        state: run ? stageState(run, stage, current, logged.has(stage)) : 'pending',
        step: logged.get(stage) ?? null,
        best: run ? bestOf(store, run.id, stage, metric, mode) : null,
      })),
    };
  });
  return { grid: spec.name, stages, metric, mode, counts, cells: out };
}

function stageState(run: Run, stage: string, current: string | null, logged: boolean): StageState {
  if (run.status === 'finished') return logged ? 'done' : 'pending';
  if (stage !== current) return logged ? 'done' : 'pending';
  if (run.status === 'scheduled') return 'pending';
  return run.status;
}

function bestOf(store: TrackingStore, runId: string, stage: string, metric: string, mode: BestMode) {
  const ckpt = store.bestCheckpoint(runId, stage, metric, mode);
  if (ckpt) return { metric, value: ckpt.metrics[metric] as number, step: ckpt.step };
  let best: { metric: string; value: number; step: number } | null = null;
  for (const m of store.metricHistory(runId, { stage, key: metric })) {
    if (!Number.isFinite(m.value)) continue;
    if (!best || (mode === 'max' ? m.value > best.value : m.value < best.value)) {
      best = { metric, value: m.value, step: m.step };
    }
  }
  return best;
}

/**
 * One view of a grid spread over several stores (the grid's store first, then the per-task stores
 * of a Slurm array, newer): per cell, a finished run wins; otherwise the last store that holds it.
 */
export function combineGridStatus(statuses: GridStatus[]): GridStatus {
  if (statuses.length === 0) throw new RangeError('combineGridStatus: no status to combine');
  const [first] = statuses as [GridStatus];
  const stages = [...new Set(statuses.flatMap((s) => s.stages))];
  const counts = { scheduled: 0, running: 0, finished: 0, failed: 0, killed: 0, missing: 0 };
  const cells = first.cells.map((cell, i) => {
    const candidates = statuses.map((s) => s.cells[i]!).filter((c) => c.status !== 'missing');
    const pick = candidates.find((c) => c.status === 'finished') ?? candidates.at(-1) ?? cell;
    counts[pick.status] += 1;
    const byStage = new Map(pick.stages.map((s) => [s.stage, s]));
    return {
      ...pick,
      stages: stages.map(
        (stage) => byStage.get(stage) ?? { stage, state: 'pending' as const, step: null, best: null },
      ),
    };
  });
  return { ...first, stages, counts, cells };
}
