// The status line's text: the worker's own line led by its phase, and the backend it runs on.
import { describe, expect, test } from 'vitest';
import { backendText, statusText } from '../../src/lab/page/status-line.js';

describe('status line', () => {
  test("the worker's line, led by its phase unless it starts with it", () => {
    expect(statusText({ phase: 'loading', text: 'reading the shipped bases', step: 0, steps: 300 })).toBe('loading: reading the shipped bases');
    expect(statusText({ phase: 'paused', text: 'paused at step 3 of 300', step: 3, steps: 300 })).toBe('paused at step 3 of 300');
  });

  test('the backend, its threads, and why there is one thread when the page is not isolated', () => {
    expect(backendText({ type: 'ready', backend: 'wasm', threads: 2, simd: true, kernels: true, isolated: true })).toBe("wasm with SIMD and traitlab's kernels, 2 threads");
    expect(backendText({ type: 'ready', backend: 'wasm', threads: 1, simd: true, kernels: false, isolated: false })).toBe(
      'wasm with SIMD, one thread (the page is not cross-origin isolated, so wasm cannot use threads)',
    );
  });
});
