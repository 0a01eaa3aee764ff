// The row shape every `ugp bench …` command prints, so results compare across runs and machines.
export interface BenchRow {
  bench: string;
  backend: string;
  case: string;
  metric: string;
  value: number;
  unit: string;
}

/** Median of a list of timings (benchmarks report medians of ≥ 10 runs after warm-up). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Formats rows as a readable table: one line per (backend, case), one column per metric. */
export function formatBenchTable(rows: BenchRow[]): string {
  const metrics = [...new Set(rows.map((r) => `${r.metric} (${r.unit})`))];
  const keyOf = (r: BenchRow) => `${r.backend}\u0000${r.case}`;
  const lines = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const line = lines.get(keyOf(r)) ?? new Map<string, number>();
    line.set(`${r.metric} (${r.unit})`, r.value);
    lines.set(keyOf(r), line);
  }
  const header = ['backend', 'case', ...metrics];
  const body = [...lines].map(([key, values]) => [
    ...key.split('\u0000'),
    ...metrics.map((m) => (values.has(m) ? formatNumber(values.get(m)!) : '')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const render = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(render)].join('\n');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(1) : abs >= 1 ? v.toFixed(2) : v.toPrecision(3);
}
