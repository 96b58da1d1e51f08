// The cost curve's pure parts (bench/curve-grid.ts, bench/curve.ts): the sizes both sides time,
// the FLOP count behind GFLOP/s, the peer's JSON and the table.
import { describe, expect, test } from 'vitest';
import { curvePoints, stepFlops, type CurveGrid } from '../../bench/curve-grid.js';
import { curveTable, parseCurvePeer, readCurveGrid } from '../../bench/curve.js';

const grid: CurveGrid = {
  base: { dModel: 64, context: 12, members: 1, batch: 64 },
  fixed: { layers: 2, heads: 4, vocabSize: 37 },
  axes: { dModel: [32, 64], context: [12], members: [1, 8], batch: [64] },
  reps: { warmup: 1, timed: 5 },
};

describe('the cost curve', () => {
  test('points: each axis value with the rest at base, keyed as the Python side keys them', () => {
    const points = curvePoints(grid);
    expect(points.map((p) => p.key)).toEqual(['dModel=32', 'dModel=64', 'context=12', 'members=1', 'members=8', 'batch=64']);
    expect(points[0]!.size).toEqual({ dModel: 32, context: 12, members: 1, batch: 64 });
    expect(points[4]!.size).toEqual({ dModel: 64, context: 12, members: 8, batch: 64 });
  });

  test('the shipped grid moves width 32 → 256, context, members and batch', () => {
    const shipped = readCurveGrid();
    expect(shipped.axes.dModel[0]).toBe(32);
    expect(shipped.axes.dModel.at(-1)).toBe(256);
    expect(curvePoints(shipped).every((p) => p.size.dModel % shipped.fixed.heads === 0)).toBe(true);
  });

  test('FLOPs: 3 × (2 · tokens · (12 d² per layer + d V) + attention 4 T² d per row and layer)', () => {
    // d 64, T 12, M 1, B 64: tokens 768; 2 · 768 · (2 · 49,152 + 2,368) = 154,632,192; attention 64 · 2 · 4 · 144 · 64 = 4,718,592.
    expect(stepFlops(grid.base, grid.fixed)).toBe(3 * (154_632_192 + 4_718_592));
    // Members scale the work linearly.
    expect(stepFlops({ ...grid.base, members: 8 }, grid.fixed)).toBe(8 * stepFlops(grid.base, grid.fixed));
  });

  test("the peer's JSON: every point required, positive; a bad line is one error line", () => {
    const points = curvePoints(grid);
    const ms = Object.fromEntries(points.map((p, i) => [p.key, i + 1]));
    const peer = parseCurvePeer(`progress\n${JSON.stringify({ ms, one_thread: ms, torch: '1.13', threads: 2 })}\n`, points);
    expect(peer.ms['members=8']).toBe(5);
    expect(() => parseCurvePeer(JSON.stringify({ ms: { ...ms, 'batch=64': 0 }, one_thread: ms, torch: '1', threads: 2 }), points)).toThrow('curve peer: ms.batch=64 is not a positive number: 0');
    expect(() => parseCurvePeer('oops', points)).toThrow('curve peer: workloads.py --curve printed no JSON object (last line: "oops")');
  });

  test('the table: ms, GFLOP/s and traitlab / PyTorch per point', () => {
    const points = curvePoints(grid);
    const traitlab = Object.fromEntries(points.map((p) => [p.key, 20]));
    const ms = Object.fromEntries(points.map((p) => [p.key, 10]));
    const lines = curveTable(grid, points, traitlab, { ms, oneThread: { ...ms, 'dModel=32': 5 }, torch: '1.13', threads: 2 });
    expect(lines[0]).toMatch(/^axis\s+value\s+traitlab wasm ms\s+GFLOP\/s\s+PyTorch ms \(2 thr\)\s+PyTorch ms \(1 thr\)\s+\/ PyTorch 2 thr\s+\/ PyTorch 1 thr$/);
    const base = lines.find((l) => l.startsWith('dModel') && / 64 /.test(l))!;
    // 3 · (154,632,192 + 4,718,592) = 478,052,352 FLOPs in 20 ms: 23.90 GFLOP/s; 20 / 10 = 2.0×.
    expect(base.split(/\s+/)).toEqual(['dModel', '64', '20.0', '23.90', '10.0', '10.0', '2.0×', '2.0×']);
    expect(lines[2]!.split(/\s+/).at(-1)).toBe('4.0×');
    expect(curveTable(grid, points, traitlab, null)[0]).toBe('axis     value  traitlab wasm ms  GFLOP/s');
  });
});
