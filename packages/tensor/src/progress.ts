// The progress bar lives in @ugpnet/core (it needs no tfjs).
export { createProgress, type Progress, type ProgressOptions } from '@ugpnet/core';
