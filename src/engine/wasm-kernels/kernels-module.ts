// traitlab's own wasm SIMD kernels for the tfjs-wasm ops that run slowest in a training step,
// each doing exactly the float32 arithmetic of the tfjs-wasm kernel it stands in for, so no bit
// moves (tested against those kernels in test/models/batch-matmul.test.ts and
// test/engine/wasm-middle-sum.test.ts).
//
// The batched matmul. Why: tfjs-wasm sends every batched or transposed matmul (attention's [M·B·H, T, dh]
// products and all their gradients) to a scalar loop at about 1.5 GFLOP/s; XNNPACK serves only
// an untransposed batch of 1. This kernel keeps that loop's arithmetic and vectorises across
// output columns instead, so the bits do not move:
//   out[b, i, j] = Σ over k-blocks of 48 (in order) of ( Σ_{k in block, in order} A[b,i,k]·B[b,k,j] )
// each partial sum starting from +0, each product and sum rounded to float32 (wasm has no fused
// multiply-add), exactly as tfjs-wasm's slow_batch_matmul (kBlockSize 48, bias 0, no clamp).
// Four output columns share one f32x4 lane each; columns past the last multiple of 4 run the
// same sums in scalar code.
//
// The sum over middle axes. tfjs-wasm sums x [P, R, Q] over R by first transposing it to
// [P, Q, R] (a slow scalar permutation) and then summing each run of R from +0 in order. This
// adds the rows of R into out[p, ·] in the same order, four q at a time, with no transpose:
//   out[p, q] = ((0 + x[p,0,q]) + x[p,1,q]) + … + x[p,R-1,q]
// It is every bias and gain gradient of a training step ([M, B·T, d] → [M, d]).
//
// Exports (pointers are byte offsets into tfjs-wasm's own heap, which the module imports):
//   bmm(a, b, out, batch, m, n, k, aRow, aK, aBatch): A read at a + 4·(b·aBatch + i·aRow + k·aK)
//     (so a transposed A is only other strides), B row-major [batch, k, n], out [batch, m, n];
//   transpose(src, dst, batch, rows, cols): dst[b, c, r] = src[b, r, c], for a transposed B;
//   sumMiddle(x, out, P, R, Q): out [P, Q] = x [P, R, Q] summed over R.
import { F32, I32, V128, op, wasmModule, type WasmFunction } from './wasm-bytes.js';

/** tfjs-wasm's slow_batch_matmul sums the shared dimension in blocks of this many. */
export const TFJS_WASM_K_BLOCK = 48;

/** while (!exit) { body } — exit leaves an i32 that is non-zero to leave the loop. */
function loopUntil(exit: number[], body: number[]): number[] {
  return [...op.block(), ...op.loop(), ...exit, ...op.brIf(1), ...body, ...op.br(0), ...op.end(), ...op.end()];
}

const { get, set, i32 } = op;
/** local += step (i32) */
const bump = (local: number, step: number[]) => [...get(local), ...step, ...op.i32Add(), ...set(local)];
/** base + (index << 2): the byte address of float index in a buffer at byte offset base. */
const addr = (base: number[], index: number[]) => [...base, ...index, ...i32(2), ...op.i32Shl(), ...op.i32Add()];
const mul = (x: number[], y: number[]) => [...x, ...y, ...op.i32Mul()];
const add = (x: number[], y: number[]) => [...x, ...y, ...op.i32Add()];

function bmmFunction(): WasmFunction {
  // params
  const [a, b, out, batch, m, n, kd, aRow, aK, aBatch] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // locals
  const [bi, i, j, k, k0, kEnd, aB, bB, oB, aI, pA, pB, aStep, bStep] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
  const [acc, total] = [24, 25];
  const [accS, totalS] = [26, 27];
  const locals = [...Array(14).fill(I32), V128, V128, F32, F32];

  // kEnd = min(k0 + 48, kd)
  const setKEnd = [
    ...add(get(k0), i32(TFJS_WASM_K_BLOCK)), ...get(kd),
    ...add(get(k0), i32(TFJS_WASM_K_BLOCK)), ...get(kd), ...op.i32LtU(),
    ...op.select(), ...set(kEnd),
  ];
  // pA = aI + 4·k0·aK ; pB = bB + 4·(k0·n + j) ; k = k0
  const startBlock = [
    ...addr(get(aI), mul(get(k0), get(aK))), ...set(pA),
    ...addr(get(bB), add(mul(get(k0), get(n)), get(j))), ...set(pB),
    ...get(k0), ...set(k),
  ];
  const advance = [...bump(pA, get(aStep)), ...bump(pB, get(bStep)), ...bump(k, i32(1))];
  const kDone = [...get(k), ...get(kEnd), ...op.i32GeU()];
  const blocksDone = [...get(k0), ...get(kd), ...op.i32GeU()];
  const outAt = addr(get(oB), add(mul(get(i), get(n)), get(j)));

  // four columns j..j+3: acc += splat(A[i,k]) · B[k, j..j+3]
  const vectorColumns = loopUntil([...add(get(j), i32(4)), ...get(n), ...op.i32GtU()], [
    ...op.f32(0), ...op.f32x4Splat(), ...set(total),
    ...i32(0), ...set(k0),
    ...loopUntil(blocksDone, [
      ...setKEnd,
      ...op.f32(0), ...op.f32x4Splat(), ...set(acc),
      ...startBlock,
      ...loopUntil(kDone, [
        ...get(acc), ...get(pA), ...op.f32Load(), ...op.f32x4Splat(), ...get(pB), ...op.v128Load(), ...op.f32x4Mul(), ...op.f32x4Add(), ...set(acc),
        ...advance,
      ]),
      ...get(total), ...get(acc), ...op.f32x4Add(), ...set(total),
      ...bump(k0, i32(TFJS_WASM_K_BLOCK)),
    ]),
    ...outAt, ...get(total), ...op.v128Store(),
    ...bump(j, i32(4)),
  ]);
  // the columns past the last multiple of 4, one at a time, summed the same way
  const scalarColumns = loopUntil([...get(j), ...get(n), ...op.i32GeU()], [
    ...op.f32(0), ...set(totalS),
    ...i32(0), ...set(k0),
    ...loopUntil(blocksDone, [
      ...setKEnd,
      ...op.f32(0), ...set(accS),
      ...startBlock,
      ...loopUntil(kDone, [
        ...get(accS), ...get(pA), ...op.f32Load(), ...get(pB), ...op.f32Load(), ...op.f32Mul(), ...op.f32Add(), ...set(accS),
        ...advance,
      ]),
      ...get(totalS), ...get(accS), ...op.f32Add(), ...set(totalS),
      ...bump(k0, i32(TFJS_WASM_K_BLOCK)),
    ]),
    ...outAt, ...get(totalS), ...op.f32Store(),
    ...bump(j, i32(1)),
  ]);

  const body = [
    ...get(aK), ...i32(2), ...op.i32Shl(), ...set(aStep),
    ...get(n), ...i32(2), ...op.i32Shl(), ...set(bStep),
    ...i32(0), ...set(bi),
    ...loopUntil([...get(bi), ...get(batch), ...op.i32GeU()], [
      ...addr(get(a), mul(get(bi), get(aBatch))), ...set(aB),
      ...addr(get(b), mul(get(bi), mul(get(kd), get(n)))), ...set(bB),
      ...addr(get(out), mul(get(bi), mul(get(m), get(n)))), ...set(oB),
      ...i32(0), ...set(i),
      ...loopUntil([...get(i), ...get(m), ...op.i32GeU()], [
        ...addr(get(aB), mul(get(i), get(aRow))), ...set(aI),
        ...i32(0), ...set(j),
        ...vectorColumns,
        ...scalarColumns,
        ...bump(i, i32(1)),
      ]),
      ...bump(bi, i32(1)),
    ]),
  ];
  return { name: 'bmm', params: Array(10).fill(I32), locals, body };
}

function transposeFunction(): WasmFunction {
  const [src, dst, batch, rows, cols] = [0, 1, 2, 3, 4];
  const [bi, r, c, base] = [5, 6, 7, 8];
  const body = [
    ...i32(0), ...set(bi),
    ...loopUntil([...get(bi), ...get(batch), ...op.i32GeU()], [
      ...mul(get(bi), mul(get(rows), get(cols))), ...set(base),
      ...i32(0), ...set(r),
      ...loopUntil([...get(r), ...get(rows), ...op.i32GeU()], [
        ...i32(0), ...set(c),
        ...loopUntil([...get(c), ...get(cols), ...op.i32GeU()], [
          ...addr(get(dst), add(get(base), add(mul(get(c), get(rows)), get(r)))),
          ...addr(get(src), add(get(base), add(mul(get(r), get(cols)), get(c)))), ...op.f32Load(),
          ...op.f32Store(),
          ...bump(c, i32(1)),
        ]),
        ...bump(r, i32(1)),
      ]),
      ...bump(bi, i32(1)),
    ]),
  ];
  return { name: 'transpose', params: Array(5).fill(I32), locals: Array(4).fill(I32), body };
}

function sumMiddleFunction(): WasmFunction {
  const [x, out, P, R, Q] = [0, 1, 2, 3, 4];
  const [p, r, q, xR, oP, rowBytes] = [5, 6, 7, 8, 9, 10];
  const at = (base: number) => addr(get(base), get(q));
  // out[p, q..q+3] += x[p, r, q..q+3], then the columns past the last multiple of 4 singly
  const addRow = [
    ...i32(0), ...set(q),
    ...loopUntil([...add(get(q), i32(4)), ...get(Q), ...op.i32GtU()], [
      ...at(oP), ...at(oP), ...op.v128Load(), ...at(xR), ...op.v128Load(), ...op.f32x4Add(), ...op.v128Store(),
      ...bump(q, i32(4)),
    ]),
    ...loopUntil([...get(q), ...get(Q), ...op.i32GeU()], [
      ...at(oP), ...at(oP), ...op.f32Load(), ...at(xR), ...op.f32Load(), ...op.f32Add(), ...op.f32Store(),
      ...bump(q, i32(1)),
    ]),
  ];
  const zeroRow = [
    ...i32(0), ...set(q),
    ...loopUntil([...get(q), ...get(Q), ...op.i32GeU()], [...at(oP), ...op.f32(0), ...op.f32Store(), ...bump(q, i32(1))]),
  ];
  const body = [
    ...get(Q), ...i32(2), ...op.i32Shl(), ...set(rowBytes),
    ...get(x), ...set(xR),
    ...i32(0), ...set(p),
    ...loopUntil([...get(p), ...get(P), ...op.i32GeU()], [
      ...addr(get(out), mul(get(p), get(Q))), ...set(oP),
      ...zeroRow,
      ...i32(0), ...set(r),
      ...loopUntil([...get(r), ...get(R), ...op.i32GeU()], [...addRow, ...bump(xR, get(rowBytes)), ...bump(r, i32(1))]),
      ...bump(p, i32(1)),
    ]),
  ];
  return { name: 'sumMiddle', params: Array(5).fill(I32), locals: Array(6).fill(I32), body };
}

/** The module's bytes, for a plain or a shared (threaded build) memory. */
export function wasmKernelsBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return wasmModule([bmmFunction(), transposeFunction(), sumMiddleFunction()], shared);
}

export type WasmKernels = {
  bmm: (a: number, b: number, out: number, batch: number, m: number, n: number, k: number, aRow: number, aK: number, aBatch: number) => void;
  transpose: (src: number, dst: number, batch: number, rows: number, cols: number) => void;
  sumMiddle: (x: number, out: number, P: number, R: number, Q: number) => void;
};

/**
 * Instantiates the kernel on a memory (tfjs-wasm's); null where it cannot run (no wasm SIMD, or
 * a memory it cannot import), so the caller keeps tfjs's own kernel.
 */
export function instantiateWasmKernels(memory: WebAssembly.Memory): WasmKernels | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = wasmKernelsBytes(shared);
  if (!WebAssembly.validate(bytes)) return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return instance.exports as unknown as WasmKernels;
  } catch {
    return null; // a LinkError: the memory's limits do not fit the import
  }
}
