// Printing helpers shared by commands: --json prints one JSON document on stdout.
import type { BenchRow } from '@ugpnet/tensor';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export async function printBenchRows(rows: BenchRow[], json: boolean): Promise<void> {
  if (json) return printJson(rows);
  const { formatBenchTable } = await import('@ugpnet/tensor');
  process.stdout.write(`${formatBenchTable(rows)}\n`);
}

/** A plain text table: a header row, a rule, then the rows, columns padded to their widest cell. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
