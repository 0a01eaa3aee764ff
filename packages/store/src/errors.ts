import { UserError } from '@ugpnet/core';

/** A problem with the store file or a request against it that the user can fix (exit status 1). */
export class StoreError extends UserError {}
