// Expanding a grid's axes into cells: the cartesian product in the order the axes are written (first
// axis slowest, seeds fastest). A cell's id hashes its parameter values, so it does not depend on axis
// order or on other cells, and re-expanding an edited grid keeps the ids of unchanged cells.
import { canonicalJson, sha256 } from '@ugpnet/core';
import type { QueueCell } from '@ugpnet/store';
import type { AxisValue, GridSpec } from './spec.js';

export interface GridCell {
  /** Position in the expansion (claim order; SLURM array task index). */
  index: number;
  /** Stable id: 12 hex characters of sha256 over the canonical params. */
  id: string;
  /** Readable `axis=value,...` (also the run name). */
  name: string;
  /** Axis name → value, including `seed` when the grid sweeps seeds. */
  params: Record<string, AxisValue>;
  seed: number | null;
}

function axesOf(spec: GridSpec): [string, AxisValue[]][] {
  const axes = Object.entries(spec.axes ?? {});
  if (spec.seeds) axes.push(['seed', spec.seeds]);
  return axes;
}

export function cellId(params: Record<string, AxisValue>): string {
  return sha256(canonicalJson(params)).slice(0, 12);
}

function formatValue(v: AxisValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function expandGrid(spec: GridSpec): GridCell[] {
  const axes = axesOf(spec);
  let combos: Record<string, AxisValue>[] = [{}];
  for (const [axis, values] of axes) {
    combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [axis]: v })));
  }
  return combos.map((params, index) => {
    const seed = params.seed;
    return {
      index,
      id: cellId(params),
      name: axes.map(([axis]) => `${axis}=${formatValue(params[axis]!)}`).join(','),
      params,
      seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : null,
    };
  });
}

/** A cell's params as a nested experiment override: `{'init.regression': 'random'}` → `{init: {regression: 'random'}}`. */
export function cellOverrides(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(params)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      const child = (typeof next === 'object' && next !== null ? next : {}) as Record<string, unknown>;
      node[key] = child;
      node = child;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

export function toQueueCell(cell: GridCell): QueueCell {
  return { cellId: cell.id, cellIndex: cell.index, name: cell.name, params: cell.params, seed: cell.seed };
}
