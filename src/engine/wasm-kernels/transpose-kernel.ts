// Transposes, for tfjs-wasm's Transpose: bytes moved, none changed, so the result is the same
// as tfjs-wasm's own; only the speed differs. tfjs-wasm moves one element at a time with
// per-element index arithmetic (for a 2-D transpose, every write lands a row apart); these
// move 4×4 tiles with SIMD shuffles, or whole contiguous runs.
//   transpose(src, dst, batch, rows, cols): dst[b, c, r] = src[b, r, c] (matMul2d's gradients
//     transpose every weight and activation: [768, 256] → [256, 768] at M = 8);
//   moveRuns(src, dst, A, B, C, L): dst[a, c, b, ·] = src[a, b, c, ·], runs of L elements (the
//     attention heads' [M·B, T, H, dh] ↔ [M·B, H, T, dh], and q/k/v's [N, 3, d] → [3, N, d]).
import { I32, V128, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil, mul } from './wasm-code.js';

const { get, set, i32 } = op;

/** dst[i] = src[i] for one 4-byte element at float offsets (any bit pattern kept). */
const copy = (dst: number[], src: number[]) => [...dst, ...src, ...op.i32Load(), ...op.i32Store()];

export function transposeFunction(): WasmFunction {
  const [src, dst, batch, rows, cols] = [0, 1, 2, 3, 4];
  const [bi, r, c, base, s, d, rowBytes, colBytes, rr] = [5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [x0, x1, x2, x3, t0, t1, t2, t3] = [14, 15, 16, 17, 18, 19, 20, 21];
  const locals = [...Array(9).fill(I32), ...Array(8).fill(V128)];
  const load = (at: number[]) => [...at, ...op.v128Load()];
  const sPlus = (rowsDown: number) => add(get(s), mul(get(rowBytes), i32(rowsDown)));
  const dPlus = (rowsDown: number) => add(get(d), mul(get(colBytes), i32(rowsDown)));
  const shuffled = (a: number, b: number, lanes: [number, number, number, number]) => [...get(a), ...get(b), ...op.shuffle32(lanes)];
  // one 4×4 tile: rows r..r+3, columns c..c+3 of the source
  const tile = [
    ...addr(get(src), add(get(base), add(mul(get(r), get(cols)), get(c)))), ...set(s),
    ...load(get(s)), ...set(x0), ...load(sPlus(1)), ...set(x1), ...load(sPlus(2)), ...set(x2), ...load(sPlus(3)), ...set(x3),
    ...shuffled(x0, x1, [0, 4, 1, 5]), ...set(t0), // s00 s10 s01 s11
    ...shuffled(x0, x1, [2, 6, 3, 7]), ...set(t1), // s02 s12 s03 s13
    ...shuffled(x2, x3, [0, 4, 1, 5]), ...set(t2), // s20 s30 s21 s31
    ...shuffled(x2, x3, [2, 6, 3, 7]), ...set(t3), // s22 s32 s23 s33
    ...addr(get(dst), add(get(base), add(mul(get(c), get(rows)), get(r)))), ...set(d),
    ...get(d), ...shuffled(t0, t2, [0, 1, 4, 5]), ...op.v128Store(), // s00 s10 s20 s30
    ...dPlus(1), ...shuffled(t0, t2, [2, 3, 6, 7]), ...op.v128Store(),
    ...dPlus(2), ...shuffled(t1, t3, [0, 1, 4, 5]), ...op.v128Store(),
    ...dPlus(3), ...shuffled(t1, t3, [2, 3, 6, 7]), ...op.v128Store(),
  ];
  // dst[b, c, rr] = src[b, rr, c]
  const one = copy(addr(get(dst), add(get(base), add(mul(get(c), get(rows)), get(rr)))), addr(get(src), add(get(base), add(mul(get(rr), get(cols)), get(c)))));
  const body = [
    ...get(cols), ...i32(2), ...op.i32Shl(), ...set(rowBytes),
    ...get(rows), ...i32(2), ...op.i32Shl(), ...set(colBytes),
    ...i32(0), ...set(bi),
    ...loopUntil([...get(bi), ...get(batch), ...op.i32GeU()], [
      ...mul(get(bi), mul(get(rows), get(cols))), ...set(base),
      ...i32(0), ...set(r),
      ...loopUntil([...add(get(r), i32(4)), ...get(rows), ...op.i32GtU()], [
        ...i32(0), ...set(c),
        ...loopUntil([...add(get(c), i32(4)), ...get(cols), ...op.i32GtU()], [...tile, ...bump(c, i32(4))]),
        // the columns past the last multiple of 4, for these four rows
        ...loopUntil([...get(c), ...get(cols), ...op.i32GeU()], [
          ...get(r), ...set(rr),
          ...loopUntil([...get(rr), ...add(get(r), i32(4)), ...op.i32GeU()], [...one, ...bump(rr, i32(1))]),
          ...bump(c, i32(1)),
        ]),
        ...bump(r, i32(4)),
      ]),
      // the rows past the last multiple of 4, every column
      ...loopUntil([...get(r), ...get(rows), ...op.i32GeU()], [
        ...get(r), ...set(rr),
        ...i32(0), ...set(c),
        ...loopUntil([...get(c), ...get(cols), ...op.i32GeU()], [...one, ...bump(c, i32(1))]),
        ...bump(r, i32(1)),
      ]),
      ...bump(bi, i32(1)),
    ]),
  ];
  return { name: 'transpose', params: Array(5).fill(I32), locals, body };
}

export function moveRunsFunction(): WasmFunction {
  const [src, dst, A, B, C, L] = [0, 1, 2, 3, 4, 5];
  const [a, b, c, s, d, i, runBytes] = [6, 7, 8, 9, 10, 11, 12];
  const body = [
    ...get(L), ...i32(2), ...op.i32Shl(), ...set(runBytes),
    ...get(src), ...set(s), // the source is read in order: a, b, c, then along the run
    ...i32(0), ...set(a),
    ...loopUntil([...get(a), ...get(A), ...op.i32GeU()], [
      ...i32(0), ...set(b),
      ...loopUntil([...get(b), ...get(B), ...op.i32GeU()], [
        ...i32(0), ...set(c),
        ...loopUntil([...get(c), ...get(C), ...op.i32GeU()], [
          // d = dst + 4·((a·C + c)·B + b)·L
          ...addr(get(dst), mul(add(mul(add(mul(get(a), get(C)), get(c)), get(B)), get(b)), get(L))), ...set(d),
          ...i32(0), ...set(i),
          ...loopUntil([...add(get(i), i32(4)), ...get(L), ...op.i32GtU()], [
            ...addr(get(d), get(i)), ...addr(get(s), get(i)), ...op.v128Load(), ...op.v128Store(),
            ...bump(i, i32(4)),
          ]),
          ...loopUntil([...get(i), ...get(L), ...op.i32GeU()], [...copy(addr(get(d), get(i)), addr(get(s), get(i))), ...bump(i, i32(1))]),
          ...bump(s, get(runBytes)),
          ...bump(c, i32(1)),
        ]),
        ...bump(b, i32(1)),
      ]),
      ...bump(a, i32(1)),
    ]),
  ];
  return { name: 'moveRuns', params: Array(6).fill(I32), locals: Array(7).fill(I32), body };
}
