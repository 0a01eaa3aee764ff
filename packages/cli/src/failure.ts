// Exit-code convention: 0 success, 1 user error (one clear line), 2 bug (stack with --verbose).
export function reportFailure(err: unknown, verbose: boolean): number {
  const isUserError = err instanceof Error && (err.name === 'UserError' || isUserErrorChain(err));
  const message = err instanceof Error ? err.message : String(err);
  if (isUserError) {
    console.error(`error: ${message}`);
    if (verbose && err instanceof Error) console.error(err.stack);
    return 1;
  }
  console.error(`internal error: ${message}`);
  if (verbose && err instanceof Error) console.error(err.stack);
  else console.error('(this is a bug; re-run with --verbose for the stack trace)');
  return 2;
}

function isUserErrorChain(err: Error): boolean {
  // Subclasses (StateDictError, BackendUnavailableError, …) keep UserError in their prototype chain.
  for (let proto = Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'UserError') return true;
  }
  return false;
}
