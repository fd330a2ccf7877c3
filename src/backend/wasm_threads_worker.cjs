/**
 * @module Entry script of the pthread workers of tfjs-backend-wasm's threaded SIMD build in Node
 * (started by the Emscripten glue through `locateFile('…worker.js')`, see `wasm_threads.ts`).
 *
 * tfjs ships the Emscripten worker script only as a string (`wasmWorkerContents`), which its own
 * `init()` turns into a Blob URL, and Node's `Worker` cannot start a Blob URL. This CommonJS file
 * runs that string in the worker's global scope, as the script would run in a browser worker: the
 * script reads `require` and `__filename` as globals (it installs `importScripts` with them), so
 * they are published first. The string's `\n` escape came out of tfjs' template literal as a real
 * newline inside a string literal; it is escaped back, as tfjs' `init()` does before making its Blob.
 */
'use strict';
globalThis.require = require;
globalThis.__filename = __filename;
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
(0, eval)(wasmWorkerContents.replace(/\n/g, '\\n'));
