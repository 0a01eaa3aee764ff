// Assembles packages/tensor/wasm/*.wat into the .wasm binaries the wasm kernels load, one per
// tfjs-backend-wasm build: `<name>.shared.wasm` imports the threaded build's shared heap,
// `<name>.wasm` the single-threaded build's plain one. The binaries are committed (wabt is a
// dev dependency only); a test checks they match their source.
//   node packages/tensor/scripts/assemble-wasm.mjs   (or: npm run build:wasm -w @ugpnet/tensor)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

export const WASM_DIR = fileURLToPath(new URL('../wasm/', import.meta.url));

const SHARED_MEMORY = /\(memory 1 65536 shared\)/;

/** The binary of `wat` for the threaded (shared: true) or single-threaded tfjs heap. */
export async function assembleWat(name, wat, shared) {
  if (!SHARED_MEMORY.test(wat)) throw new Error(`${name}: expected the import '(memory 1 65536 shared)'`);
  const source = shared ? wat : wat.replace(SHARED_MEMORY, '(memory 1)');
  const wabt = await wabtInit();
  const features = { simd: true, threads: true };
  const module = wabt.parseWat(name, source, features);
  try {
    module.validate(features);
    return new Uint8Array(module.toBinary({ write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}

/** Every `<name>.wat` in wasm/ with the two binaries it assembles to. */
export async function assembleAll() {
  const outputs = [];
  for (const file of readdirSync(WASM_DIR).filter((f) => f.endsWith('.wat'))) {
    const name = file.slice(0, -'.wat'.length);
    const wat = readFileSync(join(WASM_DIR, file), 'utf8');
    outputs.push({ path: join(WASM_DIR, `${name}.shared.wasm`), bytes: await assembleWat(file, wat, true) });
    outputs.push({ path: join(WASM_DIR, `${name}.wasm`), bytes: await assembleWat(file, wat, false) });
  }
  return outputs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const { path, bytes } of await assembleAll()) {
    writeFileSync(path, bytes);
    console.log(`wrote ${path} (${bytes.length} bytes)`);
  }
}
