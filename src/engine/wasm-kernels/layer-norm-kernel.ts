// LayerNorm's full-width passes, a row at a time. x is [rows, d] (rows = M·N, member
// m = ⌊row / N⌋ owning the gain and bias rows g[m], b[m]); per-row values are [rows]. Each does
// the float32 operations of the tfjs ops it stands for (layers.ts's layerNorm through
// tf.moments, and the gradients tfjs's tape takes of them), in the same order — sums along a row
// from +0, element by element, as tfjs-wasm's Sum and Mean do — so the values are bit for bit
// tfjs-wasm's:
//   lnStats(x, mu, var, rows, d, fd):   mu = (Σ x)/d;  var = (Σ (x − mu)·(x − mu))/d
//   lnApply(x, mu, r, g, b, normed, out, rows, d, N):   normed = (x − mu)·r;  out = normed·g + b
//   lnGradA(dy, g, x, mu, r, dDiff2, dr, dMuA, rows, d, N):  dn = dy·g;  dDiff2 = dn·r;
//       dr = Σ dn·(x − mu);  dMuA = −(Σ dDiff2)
//   lnGradB(x, mu, dVar, dMuA, dDiff, dxMean, rows, d, fd):  dDiff = (dVar/d)·((x − mu)·2);
//       dxMean = (dMuA + −(Σ dDiff))/d
// (fd is d as a float32; r = rsqrt(var + ε) and dVar come from tfjs ops on the [rows] values.)
import { F32, I32, op, type WasmFunction } from './wasm-bytes.js';
import { addr, bump, loopUntil, mul } from './wasm-code.js';

const { get, set, i32 } = op;

/** for (v = 0; v < limit; v++) body */
const forEach = (v: number, limit: number, body: number[]) => [
  ...i32(0), ...set(v),
  ...loopUntil([...get(v), ...get(limit), ...op.i32GeU()], [...body, ...bump(v, i32(1))]),
];

/** The f32 at float index `index` of the buffer at byte offset `base`. */
const load = (base: number[], index: number[]) => [...addr(base, index), ...op.f32Load()];

export function lnStatsFunction(): WasmFunction {
  const [x, mu, vr, rows, d, fd] = [0, 1, 2, 3, 4, 5];
  const [r, j, row, s, m, t] = [6, 7, 8, 9, 10, 11];
  const xj = load(get(row), get(j));
  const body = forEach(r, rows, [
    ...addr(get(x), mul(get(r), get(d))), ...set(row),
    ...op.f32(0), ...set(s),
    ...forEach(j, d, [...get(s), ...xj, ...op.f32Add(), ...set(s)]),
    ...get(s), ...get(fd), ...op.f32Div(), ...set(m),
    ...addr(get(mu), get(r)), ...get(m), ...op.f32Store(),
    ...op.f32(0), ...set(s),
    ...forEach(j, d, [...xj, ...get(m), ...op.f32Sub(), ...set(t), ...get(s), ...get(t), ...get(t), ...op.f32Mul(), ...op.f32Add(), ...set(s)]),
    ...addr(get(vr), get(r)), ...get(s), ...get(fd), ...op.f32Div(), ...op.f32Store(),
  ]);
  return { name: 'lnStats', params: [I32, I32, I32, I32, I32, F32], locals: [I32, I32, I32, F32, F32, F32], body };
}

export function lnApplyFunction(): WasmFunction {
  const [x, mu, rr, g, b, normed, out, rows, d, N] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [r, j, at, gb, m, q, n] = [10, 11, 12, 13, 14, 15, 16];
  const body = forEach(r, rows, [
    ...load(get(mu), get(r)), ...set(m),
    ...load(get(rr), get(r)), ...set(q),
    ...get(r), ...get(N), ...op.i32DivU(), ...get(d), ...op.i32Mul(), ...set(gb),
    ...forEach(j, d, [
      ...mul(get(r), get(d)), ...get(j), ...op.i32Add(), ...set(at),
      ...load(get(x), get(at)), ...get(m), ...op.f32Sub(), ...get(q), ...op.f32Mul(), ...set(n),
      ...addr(get(normed), get(at)), ...get(n), ...op.f32Store(),
      ...addr(get(out), get(at)), ...get(n), ...load(get(g), [...get(gb), ...get(j), ...op.i32Add()]), ...op.f32Mul(),
      ...load(get(b), [...get(gb), ...get(j), ...op.i32Add()]), ...op.f32Add(), ...op.f32Store(),
    ]),
  ]);
  return { name: 'lnApply', params: Array(10).fill(I32), locals: [I32, I32, I32, I32, F32, F32, F32], body };
}

export function lnGradAFunction(): WasmFunction {
  const [dy, g, x, mu, rr, dDiff2, dr, dMuA, rows, d, N] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [r, j, at, gb, m, q, dn, dd2, sDr, s8] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const body = forEach(r, rows, [
    ...load(get(mu), get(r)), ...set(m),
    ...load(get(rr), get(r)), ...set(q),
    ...get(r), ...get(N), ...op.i32DivU(), ...get(d), ...op.i32Mul(), ...set(gb),
    ...op.f32(0), ...set(sDr),
    ...op.f32(0), ...set(s8),
    ...forEach(j, d, [
      ...mul(get(r), get(d)), ...get(j), ...op.i32Add(), ...set(at),
      ...load(get(dy), get(at)), ...load(get(g), [...get(gb), ...get(j), ...op.i32Add()]), ...op.f32Mul(), ...set(dn),
      ...get(dn), ...get(q), ...op.f32Mul(), ...set(dd2),
      ...addr(get(dDiff2), get(at)), ...get(dd2), ...op.f32Store(),
      ...get(sDr), ...get(dn), ...load(get(x), get(at)), ...get(m), ...op.f32Sub(), ...op.f32Mul(), ...op.f32Add(), ...set(sDr),
      ...get(s8), ...get(dd2), ...op.f32Add(), ...set(s8),
    ]),
    ...addr(get(dr), get(r)), ...get(sDr), ...op.f32Store(),
    ...addr(get(dMuA), get(r)), ...get(s8), ...op.f32Neg(), ...op.f32Store(),
  ]);
  return { name: 'lnGradA', params: Array(11).fill(I32), locals: [I32, I32, I32, I32, F32, F32, F32, F32, F32, F32], body };
}

export function lnGradBFunction(): WasmFunction {
  const [x, mu, dVar, dMuA, dDiff, dxMean, rows, d, fd] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [r, j, at, m, q, dd, s, v] = [9, 10, 11, 12, 13, 14, 15, 16];
  const body = forEach(r, rows, [
    ...load(get(mu), get(r)), ...set(m),
    ...load(get(dVar), get(r)), ...get(fd), ...op.f32Div(), ...set(q),
    ...op.f32(0), ...set(s),
    ...forEach(j, d, [
      ...mul(get(r), get(d)), ...get(j), ...op.i32Add(), ...set(at),
      ...get(q), ...load(get(x), get(at)), ...get(m), ...op.f32Sub(), ...op.f32(2), ...op.f32Mul(), ...op.f32Mul(), ...set(dd),
      ...addr(get(dDiff), get(at)), ...get(dd), ...op.f32Store(),
      ...get(s), ...get(dd), ...op.f32Add(), ...set(s),
    ]),
    ...load(get(dMuA), get(r)), ...get(s), ...op.f32Neg(), ...op.f32Add(), ...get(fd), ...op.f32Div(), ...set(v),
    ...forEach(j, d, [...addr(get(dxMean), [...mul(get(r), get(d)), ...get(j), ...op.i32Add()]), ...get(v), ...op.f32Store()]),
  ]);
  return { name: 'lnGradB', params: [...Array(8).fill(I32), F32], locals: [I32, I32, I32, F32, F32, F32, F32, F32], body };
}
