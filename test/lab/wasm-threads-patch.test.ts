// The worker build's patch of tfjs-backend-wasm's threaded module: it removes the closure
// variable whose typeof guard a minifier would fold away (leaving the pthreads a bare, undefined
// name), and it fails the build loudly when a new tfjs words the module otherwise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { patchThreadedWasm } from '../../src/lab/build/wasm-threads-patch.js';

const pkg = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const source = readFileSync(join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'), 'utf8');

describe('threaded wasm patch', () => {
  test('the installed module loses its _scriptDir declaration; every use left is inside the factory, guarded or a fallback', () => {
    expect(source).toMatch(/var _scriptDir = /);
    const patched = patchThreadedWasm(source);
    expect(patched).not.toMatch(/var _scriptDir\b/);
    expect(patched).not.toMatch(/_scriptDir = _scriptDir/);
    expect(source.length - patched.length).toBeLessThan(250);
    // What is left: the guarded read in the factory, and a fallback the threaded path never reaches
    // (tfjs always sets mainScriptUrlOrBlob).
    const guarded = 'if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}';
    const fallback = '"urlOrBlob":Module["mainScriptUrlOrBlob"]||_scriptDir';
    expect(patched).toContain(guarded);
    expect(patched).toContain(fallback);
    expect(patched.split(guarded).join('').split(fallback).join('')).not.toMatch(/\b_scriptDir\b/);
    // The factory still parses as a function expression.
    expect(() => new Function(patched.replace(/if \(typeof exports[\s\S]*$/, ''))).not.toThrow();
  });

  test('a module worded otherwise fails the build with a line naming the patch', () => {
    expect(() => patchThreadedWasm('var WasmBackendModuleThreadedSimd = (() => { return function() {}; })();')).toThrow(/wasm-threads-patch\.ts expects/);
  });
});
