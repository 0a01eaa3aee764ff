// Child process for the claim test: claims runs of a grid until none is left, logs one metric for each
// and finishes it after `workMs` of pretend work. Prints the claimed run ids as JSON.
// Args: dbPath gridId workerName workMs.
import { currentWorker, openStore } from '../index.js';

const [path, gridId, name, workMs] = process.argv.slice(2) as [string, string, string, string];
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const store = openStore(path);
const worker = currentWorker(name);
const claimed: string[] = [];
for (let run = store.claimNextRun(gridId, worker); run; run = store.claimNextRun(gridId, worker)) {
  claimed.push(run.id);
  Atomics.wait(sleeper, 0, 0, Number(workMs));
  store.logMetrics(run.id, 'fusion', 0, { loss: 1 });
  store.endRun(run.id, 'finished');
}
store.close();
process.stdout.write(JSON.stringify(claimed));
