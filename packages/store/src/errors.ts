// The store does not depend on @ugpnet/tensor (the dashboard loads it without tfjs), so it has its own
// user-error class. The CLI recognises any error whose prototype chain holds a class named `UserError`.
class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A problem with the store file or a request against it that the user can fix (exit status 1). */
export class StoreError extends UserError {}
