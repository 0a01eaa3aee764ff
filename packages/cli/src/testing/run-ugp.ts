// Runs `ugp …` in-process for command tests: exit code, stdout, and the console.error lines.
import { vi } from 'vitest';
import { main } from '../index.js';

export interface UgpResult {
  code: number;
  out: string;
  /** The console.error lines joined by newlines. */
  errors: string;
  errorLines: string[];
}

/**
 * `whileRunning` is called once the command has started (with a view of its stdout so far), for
 * commands that keep running until stopped, such as `dashboard serve`.
 */
export async function runUgp(
  args: string[],
  whileRunning?: (out: () => string) => Promise<void>,
): Promise<UgpResult> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const running = main(args);
    if (whileRunning) await whileRunning(() => out);
    const code = await running;
    const errorLines = error.mock.calls.map((c) => c.join(' '));
    return { code, out, errors: errorLines.join('\n'), errorLines };
  } finally {
    write.mockRestore();
    stderr.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}
