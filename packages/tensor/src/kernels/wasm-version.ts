// Our wasm kernels (wasm-heap.ts: the backend's dataIdMap and HEAPU8), the oneDNN kernels, Node
// threading (wasm-threads.ts: WASM_HAS_MULTITHREAD_SUPPORT, its Blob worker, a patched os.cpus())
// and the heap guard (its _malloc) reach into tfjs-backend-wasm's private internals, read against
// one release. The package pin keeps that release installed; should another one be installed
// anyway, they stay off (tfjs' own kernels, one thread) rather than corrupt memory.
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs-backend-wasm release whose internals our extensions were written for. */
export const WASM_INTERNALS_VERSION = '4.22.0';

/**
 * Whether our extensions may run on tfjs-backend-wasm `installed` (default: the one loaded).
 * On any other release: false, after one warning line through `warn`.
 */
export function wasmExtensionsSupported(
  installed: string = version_wasm,
  warn: (line: string) => void = (line) => process.emitWarning(line),
): boolean {
  if (installed === WASM_INTERNALS_VERSION) return true;
  warn(
    `@tensorflow/tfjs-backend-wasm ${installed} is installed, but ugp's wasm kernels, threads and heap guard were written for ${WASM_INTERNALS_VERSION}'s internals: they are off (slower, single-threaded wasm); reinstall with npm ci`,
  );
  return false;
}
