// The dashboard does not depend on @ugpnet/tensor, so it has its own user-error class; the CLI treats any
// error whose prototype chain holds a class named `UserError` as the user's (exit 1, one line).
class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bad flag or path given to `ugp dashboard` (exit status 1). */
export class DashboardError extends UserError {}
