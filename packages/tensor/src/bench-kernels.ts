import type { BackendName } from './backend.js';
import type { BenchRow } from './bench.js';

// Filled in by the kernels work (issue 2).
export async function benchKernels(_options: { backend: BackendName; repeats: number }): Promise<BenchRow[]> {
  throw new Error('bench kernels is not implemented yet');
}
