// Source-mode worker bootstrap (tests and dev runs without a build): registers a loader that
// transpiles TypeScript with esbuild, then imports the real worker entry (worker.ts).
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register('./ts-hooks.mjs', import.meta.url);
await import(workerData.entry);
