// Where the tfjs wasm binaries are served: bundled by Vite as files of the lab build (same
// origin, no CDN), for the worker's `setWasmPaths(wasmPaths)` before `setBackend('wasm')`.
//
// tfjs-backend-wasm 4.22 picks one of the three binaries (plain, SIMD, threaded SIMD) by feature
// test and looks its file name up in this map. The threaded build's pthread worker script and
// its main script are not files: the package creates both as Blob URLs from code inlined in its
// own bundle, so nothing else needs a path. Threads are used only where SharedArrayBuffer is
// available, i.e. when the page is cross-origin isolated (the `npm run lab` preview sends the
// headers); elsewhere the SIMD or plain binary runs single-threaded.
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const wasmPaths: Record<string, string> = {
  'tfjs-backend-wasm.wasm': plain,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
};
