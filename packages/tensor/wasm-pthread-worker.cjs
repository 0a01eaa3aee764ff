'use strict';
// Entry point of each pthread worker of tfjs-backend-wasm's threaded build under Node (see
// src/kernels/wasm-threads.ts). tfjs hands its worker script and its Emscripten glue over as Blob
// URLs, which Node's worker_threads cannot load; this runs the same worker script and points its
// `importScripts` at the glue file that ships next to it.
const { dirname, join } = require('node:path');

const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const { wasmWorkerContents } = require(join(root, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'));
// The script is stored as a template literal; tfjs escapes its newlines the same way.
new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, __filename);

const glue = join(root, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
const handle = globalThis.onmessage;
globalThis.onmessage = (event) => {
  if (event.data && event.data.cmd === 'load' && typeof event.data.urlOrBlob !== 'string') {
    event.data.urlOrBlob = glue;
  }
  return handle(event);
};
