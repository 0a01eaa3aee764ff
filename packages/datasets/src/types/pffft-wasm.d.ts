// The emscripten factory of @echogarden/pffft-wasm (no types shipped); fft-wasm.ts types the module.
declare module '@echogarden/pffft-wasm/simd' {
  const factory: () => Promise<unknown>;
  export default factory;
}
