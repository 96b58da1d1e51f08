// Aᵀ·B without transposing A: the weight gradient of a 2-D matmul (dW = Xᵀ·dY). matMul2d's
// gradient otherwise transposes X (an activation as large as the batch: [768, 256] in the gpt
// step) and hands Xᵀ to XNNPACK, which packs dY as its "weights" on every call; both passes go.
// Each output is XNNPACK's sum for the same product, bit for bit:
//   out[i, j] = (…((+0 + A[0,i]·B[0,j]) + A[1,i]·B[1,j]) + …) + A[r−1,i]·B[r−1,j]
// one float32 multiply and one float32 add per term, k in order (wasm has no fused multiply-add;
// XNNPACK's f32 GEMM micro-kernels accumulate the same way from a zero bias).
// Tiles of 4 output rows × 8 columns keep 8 f32x4 sums in registers; per k, one load of
// A[k, i..i+3] (4 output rows, contiguous in row-major A), two of B[k, j..j+7], 4 lane splats,
// 8 multiplies and 8 adds: the shape of XNNPACK's 4×8 wasm SIMD kernel, with no packing.
// Rows past the last multiple of 4 run as 1-row tiles, columns past the last multiple of 8 as a
// 4-wide panel and then one at a time; every tile sums the same terms in the same order.
// B is taken in blocks of nb columns (a multiple of 8): each block's 8-column panels are first
// copied into `packed` (r·nb floats) as XNNPACK packs its weights, so the tiles stream 32
// contiguous bytes per k instead of striding across B's rows (and its pages).
//   mmTN(a, b, out, r, m, n, nb, packed): A row-major [r, m], B row-major [r, n], out row-major
//   [m, n]; packed: scratch of r·nb floats.
import { F32, I32, V128, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil, mul } from './wasm-code.js';

const { get, set, i32 } = op;

export function matMulTNFunction(): WasmFunction {
  // params
  const [a, b, out, r, m, n, nb, packed] = [0, 1, 2, 3, 4, 5, 6, 7];
  // locals: tile origin, walking pointers, strides, the A pointer's end, the column block, the
  // packing pointers, splat, B vectors, sums
  const [i, j, pA, pB, aStep, bStep, aEnd, jb, jEnd, pP, pEnd] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const [va, s, vb0, vb1] = [19, 20, 21, 22];
  const acc = (row: number, vec: number) => 23 + 2 * row + vec; // 23–30
  const sumS = 31;
  const locals = [...Array(11).fill(I32), ...Array(4 + 8).fill(V128), F32];

  /**
   * One tile of `rows` (4 or 1) output rows by `vecs` (2 or 1) f32x4 columns at (i, j). An
   * 8-column tile reads B's columns from the block's packed copy (32 contiguous bytes per k),
   * a 4-column one from B itself.
   */
  const tile = (rows: 1 | 4, vecs: 1 | 2): number[] => {
    // packed: panel (j − jb)/8 of the block starts at packed + 32·r·(j − jb)/8 = packed + 4·r·(j − jb)
    const bStart = vecs === 2 ? addr(get(packed), mul(get(r), [...get(j), ...get(jb), ...op.i32Sub()])) : addr(get(b), get(j));
    const bAdvance = vecs === 2 ? i32(32) : get(bStep);
    const sums = Array.from({ length: rows }, (_, row) => Array.from({ length: vecs }, (_, vec) => acc(row, vec))).flat();
    const term = (row: number) => [
      ...(rows === 4 ? [...get(va), ...get(va), ...op.shuffle32([row, row, row, row])] : get(va)), ...set(s),
      ...Array.from({ length: vecs }, (_, vec) => [...get(acc(row, vec)), ...get(s), ...get(vec === 0 ? vb0 : vb1), ...op.f32x4Mul(), ...op.f32x4Add(), ...set(acc(row, vec))]).flat(),
    ];
    return [
      ...sums.flatMap((x) => [...op.f32(0), ...op.f32x4Splat(), ...set(x)]),
      ...addr(get(a), get(i)), ...set(pA),
      ...bStart, ...set(pB),
      ...get(pA), ...mul(get(r), get(aStep)), ...op.i32Add(), ...set(aEnd),
      ...loopUntil([...get(pA), ...get(aEnd), ...op.i32GeU()], [
        ...get(pA), ...(rows === 4 ? op.v128Load() : [...op.f32Load(), ...op.f32x4Splat()]), ...set(va),
        ...get(pB), ...op.v128Load(), ...set(vb0),
        ...(vecs === 2 ? [...get(pB), ...op.v128Load(16), ...set(vb1)] : []),
        ...Array.from({ length: rows }, (_, row) => term(row)).flat(),
        ...bump(pA, get(aStep)), ...bump(pB, bAdvance),
      ]),
      ...Array.from({ length: rows }, (_, row) =>
        Array.from({ length: vecs }, (_, vec) => [...addr(get(out), add(mul(add(get(i), i32(row)), get(n)), get(j))), ...get(acc(row, vec)), ...op.v128Store(16 * vec)]).flat(),
      ).flat(),
    ];
  };

  /** The block's columns of the output rows at i (4 or 1 of them): 8 at a time, then 4, then one at a time. */
  const rowBlock = (rows: 1 | 4): number[] => [
    ...get(jb), ...set(j),
    ...loopUntil([...add(get(j), i32(8)), ...get(jEnd), ...op.i32GtU()], [...tile(rows, 2), ...bump(j, i32(8))]),
    ...loopUntil([...add(get(j), i32(4)), ...get(jEnd), ...op.i32GtU()], [...tile(rows, 1), ...bump(j, i32(4))]),
    ...loopUntil([...get(j), ...get(jEnd), ...op.i32GeU()], [
      ...Array.from({ length: rows }, (_, row) => [...scalarOutput(row)]).flat(),
      ...bump(j, i32(1)),
    ]),
  ];

  // one output at (i + row, j), the same sum in scalar code
  const scalarOutput = (row: number) => [
    ...op.f32(0), ...set(sumS),
    ...addr(get(a), add(get(i), i32(row))), ...set(pA),
    ...addr(get(b), get(j)), ...set(pB),
    ...get(pA), ...mul(get(r), get(aStep)), ...op.i32Add(), ...set(aEnd),
    ...loopUntil([...get(pA), ...get(aEnd), ...op.i32GeU()], [
      ...get(sumS), ...get(pA), ...op.f32Load(), ...get(pB), ...op.f32Load(), ...op.f32Mul(), ...op.f32Add(), ...set(sumS),
      ...bump(pA, get(aStep)), ...bump(pB, get(bStep)),
    ]),
    ...addr(get(out), add(mul(add(get(i), i32(row)), get(n)), get(j))), ...get(sumS), ...op.f32Store(),
  ];

  // the block's full 8-column panels of B, copied panel after panel as [k][8] into packed
  const packBlock = [
    ...get(packed), ...set(pP),
    ...get(jb), ...set(j),
    ...loopUntil([...add(get(j), i32(8)), ...get(jEnd), ...op.i32GtU()], [
      ...addr(get(b), get(j)), ...set(pB),
      ...get(pB), ...mul(get(r), get(bStep)), ...op.i32Add(), ...set(pEnd),
      ...loopUntil([...get(pB), ...get(pEnd), ...op.i32GeU()], [
        ...get(pP), ...get(pB), ...op.v128Load(), ...op.v128Store(),
        ...get(pP), ...get(pB), ...op.v128Load(16), ...op.v128Store(16),
        ...bump(pB, get(bStep)), ...bump(pP, i32(32)),
      ]),
      ...bump(j, i32(8)),
    ]),
  ];

  const body = [
    ...get(m), ...i32(2), ...op.i32Shl(), ...set(aStep),
    ...get(n), ...i32(2), ...op.i32Shl(), ...set(bStep),
    ...i32(0), ...set(jb),
    ...loopUntil([...get(jb), ...get(n), ...op.i32GeU()], [
      // jEnd = min(jb + nb, n)
      ...add(get(jb), get(nb)), ...get(n), ...add(get(jb), get(nb)), ...get(n), ...op.i32LtU(), ...op.select(), ...set(jEnd),
      ...packBlock,
      ...i32(0), ...set(i),
      ...loopUntil([...add(get(i), i32(4)), ...get(m), ...op.i32GtU()], [...rowBlock(4), ...bump(i, i32(4))]),
      ...loopUntil([...get(i), ...get(m), ...op.i32GeU()], [...rowBlock(1), ...bump(i, i32(1))]),
      ...bump(jb, get(nb)),
    ]),
  ];
  return { name: 'mmTN', params: Array(8).fill(I32), locals, body };
}
