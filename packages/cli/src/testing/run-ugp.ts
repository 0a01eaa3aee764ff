// Runs `ugp …` in-process for command tests: exit code, stdout, and the console.error lines.
import { vi } from 'vitest';
import { main } from '../index.js';

export interface UgpResult {
  code: number;
  out: string;
  errors: string;
}

export async function runUgp(args: string[]): Promise<UgpResult> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(args);
    return { code, out, errors: error.mock.calls.map((c) => c.join(' ')).join('\n') };
  } finally {
    write.mockRestore();
    stderr.mockRestore();
    error.mockRestore();
  }
}
