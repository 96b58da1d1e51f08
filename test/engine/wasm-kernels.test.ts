// The hand-written wasm kernels on a memory of their own: bmm against a plain loop that sums as
// tfjs-wasm's slow_batch_matmul does (blocks of 48, each from +0, float32 rounding throughout),
// sumMiddle against the straight sum over the middle axis from +0.
import { describe, expect, it } from 'vitest';
import { wasmKernelsBytes, instantiateWasmKernels, TFJS_WASM_K_BLOCK } from '../../src/engine/wasm-kernels/kernels-module.js';
import { sleb, uleb } from '../../src/engine/wasm-kernels/wasm-bytes.js';

const f = Math.fround;

/** out[b,i,j] as tfjs-wasm's loop computes it; A given by strides, B row-major [batch, k, n]. */
function reference(A: Float32Array, B: Float32Array, batch: number, m: number, n: number, K: number, aRow: number, aK: number, aBatch: number): Float32Array {
  const out = new Float32Array(batch * m * n);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let k0 = 0; k0 < K; k0 += TFJS_WASM_K_BLOCK) {
          let sum = 0;
          for (let k = k0; k < Math.min(k0 + TFJS_WASM_K_BLOCK, K); k++) sum = f(sum + f(A[b * aBatch + i * aRow + k * aK]! * B[(b * K + k) * n + j]!));
          total = f(total + sum);
        }
        out[(b * m + i) * n + j] = total;
      }
  return out;
}

function randomFloats(count: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * 4;
  });
}

describe('LEB128', () => {
  it('encodes unsigned and signed values as the wasm spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(65536)).toEqual([0x80, 0x80, 0x04]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe('the wasm kernels module: bmm', () => {
  it('is valid wasm for a plain and a shared memory', () => {
    expect(WebAssembly.validate(wasmKernelsBytes(false))).toBe(true);
    expect(WebAssembly.validate(wasmKernelsBytes(true))).toBe(true);
  });

  const shapes: Array<[number, number, number, number]> = [
    [3, 12, 12, 12], // attention at T 12, dh 12
    [2, 5, 7, 3], // every tail column scalar but 4
    [2, 1, 13, 12], // one query row (KV-cache sampling)
    [1, 4, 9, 100], // three k-blocks (48 + 48 + 4)
    [2, 3, 4, 48], // exactly one block
    [2, 3, 6, 49], // one past a block
  ];
  for (const shared of [false, true]) {
    for (const [batch, m, n, K] of shapes) {
      it(`matches the blocked float32 sum bit for bit (${shared ? 'shared' : 'plain'} memory, [${batch}, ${m}, ${K}]·[${batch}, ${K}, ${n}], A plain and transposed)`, () => {
        const memory = new WebAssembly.Memory(shared ? { initial: 4, maximum: 16, shared: true } : { initial: 4 });
        const kernel = instantiateWasmKernels(memory)!;
        const heap = new Float32Array(memory.buffer);
        const aOff = 16, bOff = aOff + batch * m * K + 3, oOff = bOff + batch * K * n + 5, tOff = oOff + batch * m * n + 7;
        const A = randomFloats(batch * m * K, 7 + m);
        const B = randomFloats(batch * K * n, 11 + n);
        heap.set(A, aOff);
        heap.set(B, bOff);
        kernel.bmm(aOff * 4, bOff * 4, oOff * 4, batch, m, n, K, K, 1, m * K);
        const want = reference(A, B, batch, m, n, K, K, 1, m * K);
        expect(Array.from(heap.subarray(oOff, oOff + batch * m * n))).toEqual(Array.from(want));
        // the same A stored transposed ([batch, K, m]) read through strides
        const At = new Float32Array(A.length);
        for (let b = 0; b < batch; b++) for (let i = 0; i < m; i++) for (let k = 0; k < K; k++) At[b * m * K + k * m + i] = A[b * m * K + i * K + k]!;
        heap.set(At, aOff);
        heap.fill(0, oOff, oOff + batch * m * n);
        kernel.bmm(aOff * 4, bOff * 4, oOff * 4, batch, m, n, K, 1, m, m * K);
        expect(Array.from(heap.subarray(oOff, oOff + batch * m * n))).toEqual(Array.from(want));
        // transpose: [batch, K, n] → [batch, n, K]
        kernel.transpose(bOff * 4, tOff * 4, batch, K, n);
        const t = heap.subarray(tOff, tOff + batch * K * n);
        for (let b = 0; b < batch; b++) for (let k = 0; k < K; k++) for (let j = 0; j < n; j++) expect(t[b * K * n + j * K + k]).toBe(B[b * K * n + k * n + j]);
      });
    }
  }

  it('differs from a single running sum once the shared dimension spans two blocks', () => {
    // a sanity check that the reference is not trivially the plain sum: at K 100 the blocked
    // sum and the straight sum disagree in some element of random data
    const [batch, m, n, K] = [1, 8, 8, 100];
    const A = randomFloats(m * K, 3), B = randomFloats(K * n, 5);
    const blocked = reference(A, B, batch, m, n, K, K, 1, m * K);
    let differs = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s = f(s + f(A[i * K + k]! * B[k * n + j]!));
      if (s !== blocked[i * n + j]) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });
});

describe('instantiateWasmKernels', () => {
  it('gives null rather than throwing for a memory it cannot import', () => {
    // instantiation fails with a LinkError when env.memory is not a WebAssembly.Memory
    const notMemory = { buffer: new ArrayBuffer(65536) } as unknown as WebAssembly.Memory;
    expect(instantiateWasmKernels(notMemory)).toBeNull();
  });
});
