// The sum over middle axes. tfjs-wasm sums x [P, R, Q] over R by first transposing it to
// [P, Q, R] (a slow scalar permutation) and then summing each run of R from +0 in order. This
// adds the rows of R into out[p, ·] in the same order, four q at a time, with no transpose:
//   out[p, q] = ((0 + x[p,0,q]) + x[p,1,q]) + … + x[p,R-1,q]
// It is every bias and gain gradient of a training step ([M, B·T, d] → [M, d]).
//   sumMiddle(x, out, P, R, Q): out [P, Q] = x [P, R, Q] summed over R.
import { I32, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil, mul } from './wasm-code.js';

const { get, set, i32 } = op;

export function sumMiddleFunction(): WasmFunction {
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

