// A Vite plugin for the worker build that keeps tfjs-backend-wasm's threaded backend working
// once minified. The threaded module's factory reaches its pthread workers as source text
// (`factory.toString()` in a Blob), where only the function itself exists; inside it,
// `typeof _scriptDir !== "undefined" && _scriptDir` guards a variable of the enclosing closure.
// The minifier sees that variable declared and folds the guard to a bare `_scriptDir` (renamed),
// so every pthread throws "ReferenceError: e is not defined" and the backend never starts
// (tfjs issue #4539: the package is not safe for identifier minification). Dropping the closure
// variable leaves `_scriptDir` a free name whose typeof guard the minifier must keep; nothing is
// lost, since the lab gives every binary's URL (wasm-paths.ts) and the worker's main script is
// a Blob (`mainScriptUrlOrBlob`), which is what `_scriptDir` would otherwise supply.
import type { Plugin } from 'vite';

const MODULE = /@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

/** The closure variable as tfjs-backend-wasm 4.22 declares it, just inside the factory's wrapper. */
const DECLARATION =
  "  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n" +
  "  if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;\n";

export function patchThreadedWasm(code: string): string {
  const at = code.indexOf(DECLARATION);
  // A new tfjs-backend-wasm that words it otherwise must be looked at, not shipped with broken threads.
  if (at === -1 || code.indexOf(DECLARATION, at + 1) !== -1)
    throw new Error('tfjs-backend-wasm-threaded-simd.js no longer declares _scriptDir as src/lab/build/wasm-threads-patch.ts expects; check that its threads survive minification and update the patch');
  return code.slice(0, at) + code.slice(at + DECLARATION.length);
}

export function wasmThreadsPatch(): Plugin {
  return {
    name: 'traitlab-wasm-threads-patch',
    transform(code, id) {
      if (!MODULE.test(id.replace(/\?.*$/, ''))) return null;
      return { code: patchThreadedWasm(code), map: null };
    },
  };
}
