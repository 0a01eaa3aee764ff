// Exit-code convention: 0 success, 1 user error (one clear line), 2 bug (stack with --verbose).
import { isUserError } from '@ugpnet/core';

export function reportFailure(err: unknown, verbose: boolean): number {
  const heapFull = wasmHeapAbort(err);
  if (heapFull) {
    console.error(`error: ${heapFull}`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (isUserError(err)) {
    console.error(`error: ${message}`);
    if (verbose && err instanceof Error) console.error(err.stack);
    return 1;
  }
  console.error(`internal error: ${message}`);
  if (verbose && err instanceof Error) console.error(err.stack);
  else console.error('(this is a bug; re-run with --verbose for the stack trace)');
  return 2;
}

/**
 * tfjs-wasm's `Aborted()` when its heap is full (an allocation inside its C++ code, which the heap
 * guard of @ugpnet/tensor cannot intercept), as that guard words it; read through the global symbol
 * registry so this module loads no tfjs.
 */
function wasmHeapAbort(err: unknown): string | undefined {
  const heap = (globalThis as Record<symbol, { describeAbort?: (e: unknown) => string | undefined }>)[
    Symbol.for('@ugpnet/tensor.wasmHeap')
  ];
  return heap?.describeAbort?.(err);
}
