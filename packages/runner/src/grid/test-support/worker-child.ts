// A grid worker process for the pool tests: runs the fake cell until the grid is drained.
// Args: dbPath gridId steps delayMs [maxAttempts].
import { openStore } from '@ugpnet/store';
import { abortOnSignals, runWorker } from '../worker.js';
import { fakeCell } from './fake-cell.js';

const [path, gridId, steps, delayMs, maxAttempts] = process.argv.slice(2) as [string, string, string, string, string?];
if (process.env.UGP_TEST_ECHO_GPU) process.stdout.write(`gpu=${process.env.CUDA_VISIBLE_DEVICES}\n`);
const store = openStore(path);
const { signal } = abortOnSignals();
const report = await runWorker({
  store,
  gridId,
  runCell: fakeCell(Number(steps), Number(delayMs)),
  signal,
  heartbeatMs: 200,
  maxAttempts: maxAttempts === undefined ? undefined : Number(maxAttempts),
});
store.close();
process.exitCode = report.interrupted ? 143 : 0;
