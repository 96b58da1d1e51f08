// The lines the lab build prints: the page's JavaScript, then with the wasm binaries, with the
// shipped bases, and the whole build, each in kB.
import { describe, expect, test } from 'vitest';
import { shippedSizes, sizeLines } from '../../src/lab/build/sizes.js';

describe('lab build sizes', () => {
  test('files are summed by kind and each line adds one kind', () => {
    const sizes = shippedSizes([
      { path: 'assets/index-abc.js', bytes: 120_000 },
      { path: 'assets/lab-worker-def.js', bytes: 1_000_000 },
      { path: 'assets/tfjs-backend-wasm-simd-1.wasm', bytes: 400_000 },
      { path: 'assets/tfjs-backend-wasm-2.wasm', bytes: 300_000 },
      { path: 'assets/gpt-7db3269fbed153da-3.ckpt', bytes: 347_548 },
      { path: 'assets/mnist-digits-5.bin', bytes: 7_000_000 },
      { path: 'index.html', bytes: 2_000 },
      { path: 'assets/index-4.css', bytes: 3_000 },
    ]);
    expect(sizes).toEqual({ javascript: 1_120_000, wasm: 700_000, bases: 347_548, digits: 7_000_000, other: 5_000 });
    expect(sizeLines(sizes)).toEqual([
      'lab page JavaScript (main thread and worker): 1120.0 kB',
      'with the tfjs wasm binaries: 1820.0 kB',
      'with the shipped bases: 2167.5 kB',
      'with the MNIST digits, HTML and CSS (the whole build): 9172.5 kB',
    ]);
  });
});
