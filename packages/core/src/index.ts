// @ugpnet/core: what every package shares and nothing needs tfjs for — the user-error class,
// name registries, canonical hashing and the progress bar.
export * from './config-errors.js';
export * from './errors.js';
export * from './hash.js';
export * from './image-extensions.js';
export * from './progress.js';
export * from './registry.js';
export * from './store-path.js';
