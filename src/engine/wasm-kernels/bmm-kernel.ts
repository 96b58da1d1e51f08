// The batched matmul. Why: tfjs-wasm sends every batched or transposed matmul (attention's
// [M·B·H, T, dh] products and all their gradients) to a scalar loop at about 1.5 GFLOP/s;
// XNNPACK serves only an untransposed batch of 1. This kernel keeps that loop's arithmetic and
// vectorises across output columns instead, so the bits do not move:
//   out[b, i, j] = Σ over k-blocks of 48 (in order) of ( Σ_{k in block, in order} A[b,i,k]·B[b,k,j] )
// each partial sum starting from +0, each product and sum rounded to float32 (wasm has no fused
// multiply-add), exactly as tfjs-wasm's slow_batch_matmul (kBlockSize 48, bias 0, no clamp).
// Four output columns share one f32x4 lane each; columns past the last multiple of 4 run the
// same sums in scalar code.
//   bmm(a, b, out, batch, m, n, k, aRow, aK, aBatch): A read at a + 4·(b·aBatch + i·aRow + k·aK)
//     (so a transposed A is only other strides), B row-major [batch, k, n], out [batch, m, n].
import { F32, I32, V128, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil, mul } from './wasm-code.js';

/** tfjs-wasm's slow_batch_matmul sums the shared dimension in blocks of this many. */
export const TFJS_WASM_K_BLOCK = 48;

const { get, set, i32 } = op;

export function bmmFunction(): WasmFunction {
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

