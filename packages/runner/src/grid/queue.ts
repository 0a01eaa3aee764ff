// Queueing a grid in the store: register the spec, then one run per cell (idempotent).
import type { Grid, QueueReport, TrackingStore } from '@ugpnet/store';
import { expandGrid, type GridCell, toQueueCell } from './expand.js';
import type { GridSpec } from './spec.js';

export interface QueueGridOptions {
  /** The spec file (recorded with the grid). */
  specFile?: string;
  /** Requeue failed cells too. */
  retryFailed?: boolean;
  /** Queue only these cell indices (a SLURM task queues its own cell). */
  only?: number[];
  /** Running cells whose heartbeat is older than this count as dead (any host). */
  staleAfterMs?: number;
}

export interface QueuedGrid {
  grid: Grid;
  cells: GridCell[];
  report: QueueReport;
}

/**
 * Registers the grid and queues its cells as runs of the experiment named after the grid: new cells are
 * scheduled, finished cells skipped, killed or dead-held cells requeued (failed ones with retryFailed).
 */
export function queueGrid(store: TrackingStore, spec: GridSpec, options: QueueGridOptions = {}): QueuedGrid {
  let cells = expandGrid(spec);
  if (options.only) {
    const only = new Set(options.only);
    cells = cells.filter((c) => only.has(c.index));
  }
  return store.transaction(() => {
    const grid = store.registerGrid({
      name: spec.name,
      specFile: options.specFile ?? null,
      spec: { ...spec },
    });
    const report = store.queueGridCells(grid.id, spec.name, cells.map(toQueueCell), {
      retryFailed: options.retryFailed,
      staleAfterMs: options.staleAfterMs,
    });
    return { grid, cells, report };
  });
}
