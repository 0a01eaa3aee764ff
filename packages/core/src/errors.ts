// The one user-error class. The CLI prints a user error as one line and exits with status 1;
// any other error is a bug (status 2). Messages name the file or flag and say what was expected.

// A brand shared through the global symbol registry, so that `isUserError` also recognises an error
// thrown by a second copy of this module (a bundled worker script, a test alias next to a built dist).
const USER_ERROR = Symbol.for('@ugpnet/core.UserError');

export class UserError extends Error {
  readonly [USER_ERROR] = true;

  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** True for a UserError or any subclass (StoreError, StateDictError, …). */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError || (error instanceof Error && USER_ERROR in error);
}
