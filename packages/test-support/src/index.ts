// @ugpnet/test-support: helpers for the packages' tests only (a devDependency; never in a build).
export * from './child-process.js';
export * from './golden.js';
export * from './golden-suite.js';
