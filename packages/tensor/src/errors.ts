// The user-error class lives in @ugpnet/core (one definition for every package).
export { isUserError, UserError } from '@ugpnet/core';
