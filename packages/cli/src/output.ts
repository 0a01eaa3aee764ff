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
