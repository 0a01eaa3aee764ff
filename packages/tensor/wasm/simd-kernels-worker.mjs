// A helper thread of our SIMD kernels (src/kernels/simd-threads.ts): it instantiates
// wasm/simd-kernels.wat on tfjs' shared heap, then runs each job the main thread posts in the shared
// control block — its share of one export call, e.g. a row range of a filter gradient into its own
// partial filter — and counts itself done. It blocks between jobs, so the main thread unrefs it.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, control, index, layout, exports } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const slots = new Int32Array(control);
const argsAt = layout.args + index * layout.argStride;
parentPort.postMessage('ready');

let seen = 0;
for (;;) {
  Atomics.wait(slots, layout.sequence, seen);
  seen = Atomics.load(slots, layout.sequence);
  if (seen < 0) break;
  const count = slots[argsAt];
  const args = Array.from(slots.subarray(argsAt + 1, argsAt + 1 + count));
  if (count > 0) {
    kernels[exports[slots[layout.kernel]]](...args);
  }
  Atomics.add(slots, layout.done, 1);
  Atomics.notify(slots, layout.done);
}
