// Exit-code convention: 0 success, 1 user error (one clear line), 2 bug (stack with --verbose).
import { isUserError } from '@ugpnet/core';

export function reportFailure(err: unknown, verbose: boolean): number {
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
