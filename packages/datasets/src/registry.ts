// The name registry lives in @ugpnet/core (models and losses use it too).
export { Registry } from '@ugpnet/core';
