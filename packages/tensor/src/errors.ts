/**
 * An error caused by the user's input (a bad flag, file or config value). The CLI prints
 * its message as one line and exits with status 1; any other error is a bug (status 2).
 * Messages name the file or flag and say what was expected.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
