// One Adam update of one variable in one pass. tfjs's AdamOptimizer makes it from 13 elementwise
// ops per variable (each a kernel call, an allocation and a trip through memory); this does the
// same float32 operations on each element, in the same order, in one loop:
//   m' = m·β1 + g·c1                      (c1 = float32(1 − β1))
//   v' = v·β2 + (g·g)·c2                  (c2 = float32(1 − β2))
//   x' = ((m' / d1) / (sqrt(v' / d2) + ε))·(−lr) + x    (d = 1 − β^t, as tfjs keeps it)
// Every step is one IEEE float32 operation (wasm has no fused multiply-add and its sqrt is
// correctly rounded), so the results are those of tfjs-wasm's kernels bit for bit.
//   adam(x, m, v, g, xOut, mOut, vOut, n, β1, c1, β2, c2, d1, d2, ε, −lr): arrays of n float32.
import { F32, I32, V128, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil } from './wasm-code.js';

const { get, set, i32 } = op;

export function adamFunction(): WasmFunction {
  // params: seven array offsets, the count, eight float32 constants
  const [x, m, v, g, xOut, mOut, vOut, n] = [0, 1, 2, 3, 4, 5, 6, 7];
  const constants = [8, 9, 10, 11, 12, 13, 14, 15]; // β1, c1, β2, c2, d1, d2, ε, −lr
  // locals: the index, the constants splatted, and the element's g, m', v'
  const i = 16;
  const splats = [17, 18, 19, 20, 21, 22, 23, 24];
  const [gv, mv, vv] = [25, 26, 27];
  const locals = [I32, ...Array(8).fill(V128), V128, V128, V128];

  const at = (base: number) => addr(get(base), get(i));
  const [b1, c1, b2, c2, d1, d2, eps, negLr] = splats as [number, number, number, number, number, number, number, number];

  // four elements at i, their g, m', v' kept in locals
  const vectorUpdate = [
    ...at(g), ...op.v128Load(), ...set(gv),
    // m' = m·β1 + g·c1
    ...at(m), ...op.v128Load(), ...get(b1), ...op.f32x4Mul(), ...get(gv), ...get(c1), ...op.f32x4Mul(), ...op.f32x4Add(), ...set(mv),
    ...at(mOut), ...get(mv), ...op.v128Store(),
    // v' = v·β2 + (g·g)·c2
    ...at(v), ...op.v128Load(), ...get(b2), ...op.f32x4Mul(), ...get(gv), ...get(gv), ...op.f32x4Mul(), ...get(c2), ...op.f32x4Mul(), ...op.f32x4Add(), ...set(vv),
    ...at(vOut), ...get(vv), ...op.v128Store(),
    // x' = ((m'/d1) / (sqrt(v'/d2) + ε))·(−lr) + x
    ...at(xOut),
    ...get(mv), ...get(d1), ...op.f32x4Div(), ...get(vv), ...get(d2), ...op.f32x4Div(), ...op.f32x4Sqrt(), ...get(eps), ...op.f32x4Add(), ...op.f32x4Div(),
    ...get(negLr), ...op.f32x4Mul(), ...at(x), ...op.v128Load(), ...op.f32x4Add(), ...op.v128Store(),
  ];

  // one element at i (the tail past the last multiple of 4): the same expressions on f32,
  // m' and v' read back from where they were stored
  const [sb1, sc1, sb2, sc2, sd1, sd2, sEps, sNegLr] = constants as [number, number, number, number, number, number, number, number];
  const f32At = (base: number) => [...at(base), ...op.f32Load()];
  const scalarUpdate = [
    ...at(mOut), ...f32At(m), ...get(sb1), ...op.f32Mul(), ...f32At(g), ...get(sc1), ...op.f32Mul(), ...op.f32Add(), ...op.f32Store(),
    ...at(vOut), ...f32At(v), ...get(sb2), ...op.f32Mul(), ...f32At(g), ...f32At(g), ...op.f32Mul(), ...get(sc2), ...op.f32Mul(), ...op.f32Add(), ...op.f32Store(),
    ...at(xOut),
    ...f32At(mOut), ...get(sd1), ...op.f32Div(), ...f32At(vOut), ...get(sd2), ...op.f32Div(), ...op.f32Sqrt(), ...get(sEps), ...op.f32Add(), ...op.f32Div(),
    ...get(sNegLr), ...op.f32Mul(), ...f32At(x), ...op.f32Add(), ...op.f32Store(),
  ];

  const body = [
    ...constants.flatMap((c, j) => [...get(c), ...op.f32x4Splat(), ...set(splats[j]!)]),
    ...i32(0), ...set(i),
    ...loopUntil([...add(get(i), i32(4)), ...get(n), ...op.i32GtU()], [...vectorUpdate, ...bump(i, i32(4))]),
    ...loopUntil([...get(i), ...get(n), ...op.i32GeU()], [...scalarUpdate, ...bump(i, i32(1))]),
  ];
  return { name: 'adam', params: [...Array(8).fill(I32), ...Array(8).fill(F32)], locals, body };
}
