// `npm run bench -- --curve`: how traitlab's gpt training step compares with PyTorch's as the
// work grows — width, context, members, batch, one at a time from a base size
// (bench/peer/curve_grid.json). traitlab (wasm, one thread) first, every axis timed round-robin
// within itself; then bench/peer/workloads.py --curve times the same sizes in PyTorch at its
// default threads and at one. The table gives each size's ms, traitlab's GFLOP/s, and the ratios.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { selectBackend } from '../src/engine/backend.js';
import { packageRoot } from '../src/run/package-root.js';
import { AXES, curvePoints, stepFlops, type CurveGrid, type CurvePoint } from './curve-grid.js';
import { gptTrainStep } from './gpt-train-step.js';
import { LEARNING_RATE } from './mlp-family-step.js';
import { fmt, PEER_SCRIPT } from './peer.js';
import { timeInterleaved } from './timing.js';

export const CURVE_GRID = 'bench/peer/curve_grid.json';

export interface CurvePeer {
  /** Median ms per point key at `threads` threads, and at one. */
  ms: Record<string, number>;
  oneThread: Record<string, number>;
  torch: string;
  threads: number;
}

/** Parses workloads.py --curve's stdout (its last line: one JSON object); throws a one-line error. */
export function parseCurvePeer(stdout: string, points: readonly CurvePoint[]): CurvePeer {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`curve peer: workloads.py --curve printed no JSON object (last line: ${JSON.stringify(line.slice(0, 80))})`);
  }
  const times = (src: unknown, where: string): Record<string, number> => {
    const rec = (src ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      points.map(({ key }) => {
        const v = rec[key];
        if (typeof v !== 'number' || !(v > 0)) throw new Error(`curve peer: ${where}${key} is not a positive number: ${JSON.stringify(v)}`);
        return [key, v];
      }),
    );
  };
  if (typeof o.torch !== 'string' || typeof o.threads !== 'number') throw new Error('curve peer: torch (a string) and threads (a number) are required');
  return { ms: times(o.ms, 'ms.'), oneThread: times(o.one_thread, 'one_thread.'), torch: o.torch, threads: o.threads };
}

/** The table: a row per point, grouped by axis; ratios are traitlab ms / PyTorch ms (> 1: traitlab slower). */
export function curveTable(grid: CurveGrid, points: readonly CurvePoint[], traitlab: Record<string, number>, peer: CurvePeer | null): string[] {
  const t = peer?.threads;
  const header = ['axis', 'value', 'traitlab wasm ms', 'GFLOP/s', ...(peer ? [`PyTorch ms (${t} thr)`, 'PyTorch ms (1 thr)', `/ PyTorch ${t} thr`, '/ PyTorch 1 thr'] : [])];
  const body = points.map((p) => {
    const ms = traitlab[p.key]!;
    const row = [p.axis, String(p.value), fmt(ms), (stepFlops(p.size, grid.fixed) / ms / 1e6).toFixed(2)];
    if (peer) row.push(fmt(peer.ms[p.key]!), fmt(peer.oneThread[p.key]!), `${(ms / peer.ms[p.key]!).toFixed(1)}×`, `${(ms / peer.oneThread[p.key]!).toFixed(1)}×`);
    return row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

export function readCurveGrid(): CurveGrid {
  return JSON.parse(readFileSync(join(packageRoot(), CURVE_GRID), 'utf8')) as CurveGrid;
}

/** traitlab's median ms per point on wasm, each axis's points timed round-robin together. */
async function traitlabCurve(grid: CurveGrid, points: readonly CurvePoint[]): Promise<Record<string, number>> {
  await selectBackend('wasm');
  const out: Record<string, number> = {};
  for (const axis of AXES) {
    const mine = points.filter((p) => p.axis === axis);
    const t0 = performance.now();
    const steps = mine.map((p) => gptTrainStep({ ...grid.fixed, dModel: p.size.dModel, context: p.size.context }, p.size.members, p.size.batch, LEARNING_RATE));
    try {
      const ms = timeInterleaved(steps.map((s) => ({ reps: grid.reps, ...s })));
      mine.forEach((p, i) => (out[p.key] = ms[i]!));
    } finally {
      steps.forEach((s) => s.dispose());
    }
    console.log(`  traitlab ${axis}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return out;
}

export async function curveSection(python: string | null, noTorchLine: string): Promise<void> {
  const grid = readCurveGrid();
  const points = curvePoints(grid);
  const b = grid.base;
  console.log(`traitlab bench --curve: gpt Adam step (layers ${grid.fixed.layers}, heads ${grid.fixed.heads}, V ${grid.fixed.vocabSize}); base d ${b.dModel}, context ${b.context}, M ${b.members}, batch ${b.batch}; one setting moved at a time (${CURVE_GRID}); ${grid.reps.warmup} warm-up + ${grid.reps.timed} timed steps, medians`);
  const traitlab = await traitlabCurve(grid, points);
  let peer: CurvePeer | null = null;
  if (python === null) console.log(noTorchLine);
  else {
    const t0 = performance.now();
    const r = spawnSync(python, [join(packageRoot(), PEER_SCRIPT), '--curve'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    try {
      if (r.status !== 0) throw new Error(`curve peer failed (${r.error?.message ?? `exit ${r.status}`})`);
      peer = parseCurvePeer(r.stdout, points);
      console.log(`  PyTorch ${peer.torch}, ${peer.threads} threads (and 1): done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      console.log(`${(e as Error).message}; traitlab's figures stand alone.`);
    }
  }
  console.log('');
  for (const l of curveTable(grid, points, traitlab, peer)) console.log(l);
  console.log('');
  console.log('GFLOP/s: model FLOPs of the step (3 × forward: 2 × params × tokens, plus attention) per second on one wasm thread. / PyTorch: how many times longer traitlab takes than PyTorch for the same step.');
}
