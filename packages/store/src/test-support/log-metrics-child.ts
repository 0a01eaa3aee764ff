// Child process for the concurrency test: logs `steps` steps of metrics into a shared run, one
// transaction per step, like a trainer does. Args: dbPath runId index steps.
import { openStore } from '../index.js';

const [path, runId, index, steps] = process.argv.slice(2) as [string, string, string, string];
const store = openStore(path);
for (let step = 0; step < Number(steps); step++) {
  // Own stage: every row must survive.
  store.logMetrics(runId, `worker-${index}`, step, { loss: step * 0.5, psnr: 20 + step, lpips: Number.NaN });
  // Shared stage: every process logs the same (stage, key, step): upserts, never duplicates.
  store.logMetrics(runId, 'shared', step, { loss: step, [`only-${index}`]: step });
}
store.close();
process.stdout.write('done\n');
