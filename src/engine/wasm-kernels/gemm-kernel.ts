// Batched matrix products with XNNPACK's float32 sums, in any of the layouts a training step needs
// (x·W forward, dY·Wᵀ and Xᵀ·dY for the gradients), read where the tensors lie: no Transpose, no
// split of the members' stacked tensors, no join of the results. Every output is
//   out[g, i, j] = (…((+0 + A[g,i,0]·B[g,0,j]) + A[g,i,1]·B[g,1,j]) + …) + A[g,i,K−1]·B[g,K−1,j]
// one float32 multiply and one float32 add per term, k in order — what XNNPACK's f32 GEMM
// micro-kernels compute from a zero bias (wasm has no fused multiply-add), so the bits are
// XNNPACK's whatever the tiling (test/models/member-matmul.test.ts, test/models/matmul-tn.test.ts).
//
// Layout: A's element (i, k) of batch g at a + 4·(g·aBatch + i·aRow + k·aK), B's (k, j) at
// b + 4·(g·bBatch + k·bK + j·bN), out row-major [batch, m, n] (strides in floats; aBatch = 0
// shares A across the batch). B is taken in blocks of nb columns whose 8-column panels are first
// copied into `packed` as [K][8] (zeros past column n), as XNNPACK packs its weights; tiles of 4
// output rows × 8 columns then keep 8 f32x4 sums in registers and per k read 32 contiguous
// bytes of B and A's 4 values by load-splat (whatever A's layout; measured 12–20 % faster than
// one f32x4 load and 4 lane shuffles when A's rows are adjacent). Rows past the last multiple
// of 4 run as 1-row tiles; columns past n are computed in the zero lanes and not stored.
//   gemm(a, b, out, batch, m, n, K, aRow, aK, aBatch, bK, bN, bBatch, nb, packed)
import { I32, V128, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil, mul } from './wasm-code.js';

const { get, set, i32 } = op;

export function gemmFunction(): WasmFunction {
  // params
  const [a, b, out, batch, m, n, K, aRow, aK, aBatch, bK, bN, bBatch, nb, packed] = Array.from({ length: 15 }, (_, p) => p) as number[] as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  // locals (i32): batch index and its bases, tile origin, block, walking pointers, byte strides, loop ends
  const [g, aG, bG, outG, i, j, jb, jEnd, pA, pB, pP, pEnd, aRowB, aKB, bKB, lane] = Array.from({ length: 16 }, (_, l) => 15 + l) as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [s, vb0, vb1] = [31, 32, 33];
  const acc = (row: number, vec: number) => 34 + 2 * row + vec; // 34–41
  const locals = [...Array(16).fill(I32), ...Array(3 + 8).fill(V128)];

  /** A's value at (i + row, k), splatted into s. */
  const splatRow = (row: number): number[] => {
    const at = row === 0 ? get(pA) : [...get(pA), ...(row === 1 ? get(aRowB) : mul(get(aRowB), i32(row))), ...op.i32Add()];
    return [...at, ...op.v128Load32Splat(), ...set(s)];
  };

  /** Stores the tile's sums for output row `row`: whole f32x4 stores, or lane by lane past column n. */
  const storeRow = (row: number): number[] => {
    const rowAt = addr(get(outG), add(mul(add(get(i), i32(row)), get(n)), get(j)));
    const whole = [0, 1].flatMap((vec) => [...rowAt, ...get(acc(row, vec)), ...op.v128Store(16 * vec)]);
    const laneByLane = Array.from({ length: 8 }, (_, l) => [
      ...op.block(),
      ...add(get(j), i32(l)), ...get(n), ...op.i32GeU(), ...op.brIf(0),
      ...rowAt, ...get(acc(row, l >> 2)), ...op.f32x4ExtractLane(l & 3), ...op.f32Store(4 * l),
      ...op.end(),
    ]).flat();
    // if (j + 8 <= n) whole else laneByLane
    return [...op.block(), ...op.block(), ...add(get(j), i32(8)), ...get(n), ...op.i32GtU(), ...op.brIf(0), ...whole, ...op.br(1), ...op.end(), ...laneByLane, ...op.end()];
  };

  /** One tile of `rows` (4 or 1) output rows × 8 columns at (i, j), B's panel from `packed`. */
  const tile = (rows: 1 | 4): number[] => [
    ...Array.from({ length: rows }, (_, row) => [0, 1].flatMap((vec) => [...op.f32(0), ...op.f32x4Splat(), ...set(acc(row, vec))])).flat(),
    ...addr(get(aG), mul(get(i), get(aRow))), ...set(pA),
    // panel (j − jb)/8 of the block starts at packed + 32·K·(j − jb)/8 = packed + 4·K·(j − jb)
    ...addr(get(packed), mul(get(K), [...get(j), ...get(jb), ...op.i32Sub()])), ...set(pB),
    ...get(pB), ...mul(get(K), i32(32)), ...op.i32Add(), ...set(pEnd),
    ...loopUntil([...get(pB), ...get(pEnd), ...op.i32GeU()], [
      ...get(pB), ...op.v128Load(), ...set(vb0),
      ...get(pB), ...op.v128Load(16), ...set(vb1),
      ...Array.from({ length: rows }, (_, row) => [
        ...splatRow(row),
        ...[0, 1].flatMap((vec) => [...get(acc(row, vec)), ...get(s), ...get(vec === 0 ? vb0 : vb1), ...op.f32x4Mul(), ...op.f32x4Add(), ...set(acc(row, vec))]),
      ]).flat(),
      ...bump(pA, get(aKB)), ...bump(pB, i32(32)),
    ]),
    ...Array.from({ length: rows }, (_, row) => storeRow(row)).flat(),
  ];

  /** Every tile of the block: 4 rows at a time, then one at a time, each over the block's panels. */
  const panels = (rows: 1 | 4) => [
    ...get(jb), ...set(j),
    ...loopUntil([...get(j), ...get(jEnd), ...op.i32GeU()], [...tile(rows), ...bump(j, i32(8))]),
  ];
  const blockTiles = [
    ...i32(0), ...set(i),
    ...loopUntil([...add(get(i), i32(4)), ...get(m), ...op.i32GtU()], [...panels(4), ...bump(i, i32(4))]),
    ...loopUntil([...get(i), ...get(m), ...op.i32GeU()], [...panels(1), ...bump(i, i32(1))]),
  ];

  // the block's panels into packed, [K][8] each; lanes past column n are zero
  const packBlock = [
    ...get(packed), ...set(pP),
    ...get(jb), ...set(j),
    ...loopUntil([...get(j), ...get(jEnd), ...op.i32GeU()], [
      ...addr(get(bG), mul(get(j), get(bN))), ...set(pB),
      ...get(pB), ...mul(get(K), get(bKB)), ...op.i32Add(), ...set(pEnd),
      ...loopUntil([...get(pB), ...get(pEnd), ...op.i32GeU()], [
        // fast: 8 adjacent columns (bN = 1, the panel inside B); else one float at a time
        ...op.block(), ...op.block(),
        ...get(bN), ...i32(1), ...op.i32Ne(), ...add(get(j), i32(8)), ...get(n), ...op.i32GtU(), ...op.i32Or(), ...op.brIf(0),
        ...get(pP), ...get(pB), ...op.v128Load(), ...op.v128Store(),
        ...get(pP), ...get(pB), ...op.v128Load(16), ...op.v128Store(16),
        ...op.br(1),
        ...op.end(),
        ...i32(0), ...set(lane),
        ...loopUntil([...get(lane), ...i32(8), ...op.i32GeU()], [
          // packed lane = column j + lane < n ? B[k, j + lane] : 0 (B is not read past column n)
          ...addr(get(pP), get(lane)), ...op.f32(0), ...op.f32Store(),
          ...op.block(),
          ...add(get(j), get(lane)), ...get(n), ...op.i32GeU(), ...op.brIf(0),
          ...addr(get(pP), get(lane)), ...addr(get(pB), mul(get(lane), get(bN))), ...op.f32Load(), ...op.f32Store(),
          ...op.end(),
          ...bump(lane, i32(1)),
        ]),
        ...op.end(),
        ...bump(pB, get(bKB)), ...bump(pP, i32(32)),
      ]),
      ...bump(j, i32(8)),
    ]),
  ];

  const body = [
    ...get(aRow), ...i32(2), ...op.i32Shl(), ...set(aRowB),
    ...get(aK), ...i32(2), ...op.i32Shl(), ...set(aKB),
    ...get(bK), ...i32(2), ...op.i32Shl(), ...set(bKB),
    ...i32(0), ...set(g),
    ...loopUntil([...get(g), ...get(batch), ...op.i32GeU()], [
      ...addr(get(a), mul(get(g), get(aBatch))), ...set(aG),
      ...addr(get(b), mul(get(g), get(bBatch))), ...set(bG),
      ...addr(get(out), mul(get(g), mul(get(m), get(n)))), ...set(outG),
      ...i32(0), ...set(jb),
      ...loopUntil([...get(jb), ...get(n), ...op.i32GeU()], [
        // jEnd = min(jb + nb, n)
        ...add(get(jb), get(nb)), ...get(n), ...add(get(jb), get(nb)), ...get(n), ...op.i32LtU(), ...op.select(), ...set(jEnd),
        ...packBlock,
        ...blockTiles,
        ...bump(jb, get(nb)),
      ]),
      ...bump(g, i32(1)),
    ]),
  ];
  return { name: 'gemm', params: Array(15).fill(I32), locals, body };
}
