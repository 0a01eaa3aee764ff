import { UserError } from '@ugpnet/core';

/** A bad flag or path given to `ugp dashboard` (exit status 1). */
export class DashboardError extends UserError {}
