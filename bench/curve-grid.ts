// The cost curve's sizes (bench/peer/curve_grid.json, which the PyTorch side reads too): the base
// size, then each axis's values with the other settings at base. Pure, so it is tested.
export interface CurveSize {
  dModel: number;
  context: number;
  members: number;
  batch: number;
}

export type CurveAxis = keyof CurveSize;

export interface CurveGrid {
  base: CurveSize;
  fixed: { layers: number; heads: number; vocabSize: number };
  axes: Record<CurveAxis, number[]>;
  reps: { warmup: number; timed: number };
}

/** One timed size: the axis it belongs to and its key (`dModel=128`), as both sides name it. */
export interface CurvePoint {
  axis: CurveAxis;
  value: number;
  key: string;
  size: CurveSize;
}

export const AXES: readonly CurveAxis[] = ['dModel', 'context', 'members', 'batch'];

/** Every point in axis order; the base size appears on each axis (timed once per axis, beside its neighbours). */
export function curvePoints(grid: CurveGrid): CurvePoint[] {
  return AXES.flatMap((axis) => grid.axes[axis].map((value) => ({ axis, value, key: `${axis}=${value}`, size: { ...grid.base, [axis]: value } })));
}

/** Model FLOPs of one training step (forward ≈ 2·params·tokens plus attention's 4·T²·d per row and layer; backward 2× forward), for GFLOP/s. */
export function stepFlops(s: CurveSize, fixed: CurveGrid['fixed']): number {
  const d = s.dModel;
  const perLayer = 12 * d * d; // qkv 3d², out d², MLP 8d²
  const tokens = s.members * s.batch * s.context;
  const forward = 2 * tokens * (fixed.layers * perLayer + d * fixed.vocabSize) + s.members * s.batch * fixed.layers * 4 * s.context * s.context * d;
  return 3 * forward;
}
