// The dashboard's data: one JSON document read from the store through its API (no SQL here). The static
// site embeds it as data.js; the server hands it out as /data.js and /api/data.json.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Json, Run, TrackingStore } from '@ugpnet/store';
import { artifactUrl, isPlainFile } from './artifact-urls.js';
import {
  METRIC_KIND_ORDER,
  METRIC_KINDS,
  type MetricKind,
  type MetricKindInfo,
  metricKind,
} from './metric-kinds.js';
import { restoreCommand } from './restore-command.js';

/** UGPNet's stages in training order; other stage names follow alphabetically. */
export const STAGE_ORDER = ['restoration', 'synthesis', 'fusion'];

export interface DashboardData {
  /** Changes whenever the store's content does (live pages compare it when polling). */
  version: string;
  generatedAt: number;
  /** The store file, absolute. */
  storePath: string;
  live: boolean;
  stageOrder: string[];
  kindOrder: readonly MetricKind[];
  kinds: Record<MetricKind, MetricKindInfo>;
  /** Kind of every metric key that occurs. */
  metricKinds: Record<string, MetricKind>;
  experiments: ExperimentView[];
  grids: GridView[];
  /** Newest first. */
  runs: RunView[];
  /** runId → stage → key → columns of (step, value); non-finite values are null. */
  series: Record<string, Record<string, Record<string, Series>>>;
}

export interface Series {
  steps: number[];
  values: (number | null)[];
}

export interface ExperimentView {
  name: string;
  specFile: string | null;
  createdAt: number;
}

export interface GridView {
  id: string;
  name: string;
  specFile: string | null;
  spec: Json;
  createdAt: number;
  updatedAt: number;
}

export interface SummaryView {
  stage: string;
  key: string;
  latest: number | null;
  latestStep: number;
  min: number | null;
  max: number | null;
  count: number;
}

export interface CheckpointView {
  stage: string;
  step: number;
  /** As stored. */
  path: string;
  /** Resolved against the store's folder. */
  absolutePath: string;
  metrics: Record<string, number | null>;
  isBest: boolean;
  /** True when no checkpoint of the stage is flagged best and this one was picked by max psnr. */
  bestByFallback: boolean;
  restoreCommand: string;
  createdAt: number;
}

export interface ArtifactView {
  stage: string;
  step: number;
  kind: string;
  path: string;
  /** Relative URL of the file, null when the file is missing. */
  url: string | null;
  /** A fixed test image of the test pass (kind `test-images`): which image and which column. */
  testImage: TestImageRef | null;
}

/** Columns of the image comparison, in display order. */
export const TEST_IMAGE_COLUMNS = ['LQ', 'I_R', 'I_G', 'I_F', 'GT'] as const;
export const TEST_IMAGES_KIND = 'test-images';

export interface TestImageRef {
  index: number;
  column: (typeof TEST_IMAGE_COLUMNS)[number];
}

/** `test-03-I_F.png` (runner/src/comparison-images.ts names them so) → image 3, column I_F. */
export function parseTestImage(kind: string, path: string): TestImageRef | null {
  if (kind !== TEST_IMAGES_KIND) return null;
  const m = /(?:^|[/\\])test-(\d+)-(LQ|I_R|I_G|I_F|GT)\.png$/.exec(path);
  return m ? { index: Number(m[1]), column: m[2] as TestImageRef['column'] } : null;
}

/** A store Run (less its claim time) with what the pages show beside it. */
export interface RunView extends Omit<Run, 'claimedAt'> {
  params: Record<string, Json>;
  tags: Record<string, string>;
  summaries: SummaryView[];
  checkpoints: CheckpointView[];
  artifacts: ArtifactView[];
}

export interface SnapshotOptions {
  live?: boolean;
}

/** A cheap digest of what the pages show; equal digests mean nothing needs re-reading. */
export function storeFingerprint(store: TrackingStore): string {
  const hash = createHash('sha256');
  const add = (value: unknown) => hash.update(`${JSON.stringify(value)}\n`);
  add(store.listExperiments().map((e) => e.name));
  add(store.listGrids().map((g) => [g.id, g.updatedAt]));
  const runs = store.listRuns();
  for (const r of runs) {
    add([r.id, r.name, r.status, r.stage, r.endTime, r.attempts, r.backend, r.seed]);
    add(store.listCheckpoints(r.id).map((c) => [c.stage, c.step, c.isBest, c.createdAt]));
    add(store.listArtifacts(r.id).map((a) => [a.stage, a.step, a.kind, a.path, a.createdAt]));
  }
  add(store.latestMetrics().map((m) => [m.runId, m.stage, m.key, m.step, m.timestamp]));
  return hash.digest('hex').slice(0, 16);
}

export function stageSort(stages: Iterable<string>): string[] {
  const rank = (s: string) => {
    const i = STAGE_ORDER.indexOf(s);
    return i < 0 ? STAGE_ORDER.length : i;
  };
  return [...new Set(stages)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/** Reads everything the pages show. */
export function readSnapshot(store: TrackingStore, options: SnapshotOptions = {}): DashboardData {
  const version = storeFingerprint(store);
  const runs = store.listRuns();
  const runIds = runs.map((r) => r.id);
  const summaries = runIds.length ? store.metricSummaries(runIds) : [];
  const stages = new Set<string>();
  const metricKinds: Record<string, MetricKind> = {};
  const series: DashboardData['series'] = {};

  for (const run of runs) {
    const byStage: Record<string, Record<string, Series>> = {};
    for (const m of store.metricHistory(run.id)) {
      stages.add(m.stage);
      metricKinds[m.key] ??= metricKind(m.key);
      byStage[m.stage] ??= {};
      const stage = byStage[m.stage]!;
      stage[m.key] ??= { steps: [], values: [] };
      const s = stage[m.key]!;
      s.steps.push(m.step);
      s.values.push(finite(m.value));
    }
    series[run.id] = byStage;
  }

  const runViews: RunView[] = runs.map((run) => {
    const checkpoints = store.listCheckpoints(run.id);
    const flagged = new Set(checkpoints.filter((c) => c.isBest).map((c) => c.stage));
    const fallback = new Set<string>();
    for (const stage of new Set(checkpoints.map((c) => c.stage))) {
      if (flagged.has(stage)) continue;
      const best = store.bestCheckpoint(run.id, stage);
      if (best) fallback.add(`${stage}\0${best.step}`);
    }
    const { claimedAt: _claimedAt, ...fields } = run;
    return {
      ...fields,
      params: store.getParams(run.id),
      tags: store.getTags(run.id),
      summaries: summaries
        .filter((s) => s.runId === run.id)
        .map((s) => ({
          stage: s.stage,
          key: s.key,
          latest: finite(s.latest),
          latestStep: s.latestStep,
          min: s.min,
          max: s.max,
          count: s.count,
        })),
      checkpoints: checkpoints.map((c) => {
        stages.add(c.stage);
        const absolutePath = store.resolvePath(c.path);
        const bestByFallback = fallback.has(`${c.stage}\0${c.step}`);
        return {
          stage: c.stage,
          step: c.step,
          path: c.path,
          absolutePath,
          metrics: c.metrics,
          isBest: c.isBest || bestByFallback,
          bestByFallback,
          restoreCommand: restoreCommand(run.id, resolve(store.path)),
          createdAt: c.createdAt,
        };
      }),
      artifacts: store.listArtifacts(run.id).map((a) => {
        stages.add(a.stage);
        const file = store.resolvePath(a.path);
        return {
          stage: a.stage,
          step: a.step,
          kind: a.kind,
          path: a.path,
          url: isPlainFile(file) ? artifactUrl(file) : null,
          testImage: parseTestImage(a.kind, a.path),
        };
      }),
    };
  });

  return {
    version,
    generatedAt: Date.now(),
    storePath: resolve(store.path),
    live: options.live ?? false,
    stageOrder: stageSort(stages),
    kindOrder: METRIC_KIND_ORDER,
    kinds: METRIC_KINDS,
    metricKinds,
    experiments: store
      .listExperiments()
      .map((e) => ({ name: e.name, specFile: e.specFile, createdAt: e.createdAt })),
    grids: store.listGrids().map((g) => ({
      id: g.id,
      name: g.name,
      specFile: g.specFile,
      spec: g.spec,
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
    })),
    runs: runViews,
    series,
  };
}

/**
 * The snapshot as JSON safe to embed in a script: `<`, U+2028 and U+2029 are escaped so no stored
 * string (a run name, a failure message) can close the script or break the parse.
 */
export function snapshotJson(data: DashboardData): string {
  return JSON.stringify(data)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
