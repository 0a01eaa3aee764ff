import { StoreError } from '@ugpnet/store';
import { BackendUnavailableError } from '@ugpnet/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportFailure } from './failure.js';

describe('reportFailure', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints a user error from any package as one line, status 1; anything else is a bug, status 2', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => lines.push(line));
    expect(reportFailure(new StoreError('ugp.db: not a store'), false)).toBe(1);
    expect(reportFailure(new BackendUnavailableError('node', 'not installed'), false)).toBe(1);
    expect(lines).toEqual([
      'error: ugp.db: not a store',
      "error: backend 'node' is not available: not installed",
    ]);
    expect(reportFailure(new TypeError('x is undefined'), false)).toBe(2);
    expect(lines.slice(2)).toEqual([
      'internal error: x is undefined',
      '(this is a bug; re-run with --verbose for the stack trace)',
    ]);
  });
});
