// Curves over training steps from metrics.jsonl: at every logged step of a stage, the mean of
// a metric over seeds and its 95 % t interval, so the chart draws a line with a band.
import type { MetricsRecord } from '../engine/metrics-record.js';
import { meanCi } from '../probes/stats.js';

export interface CurvePoint {
  /** Panel the curve is drawn in (e.g. the student kind); '' when there is one panel. */
  group: string;
  /** Line within the panel (an arm, or its channel). */
  series: string;
  step: number;
  mean: number;
  /** The band; equal to the mean when there is one seed (no interval). */
  lo: number;
  hi: number;
  /** Seeds with a finite value at this step. */
  n: number;
}

/** Where a stage's curve goes, or null to leave the stage out. */
export type StagePlacement = (stage: string) => { group: string; series: string } | null;

const finite = (xs: readonly unknown[]) => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

/**
 * Points of `metric` (a per-seed array in each record) for every placed stage that logged it
 * at two or more steps: one value per stage is an evaluation, not a curve.
 */
export function curvePoints(records: readonly MetricsRecord[], metric: string, place: StagePlacement): CurvePoint[] {
  const byStage = new Map<string, CurvePoint[]>();
  for (const r of records) {
    const values = r[metric];
    if (!Array.isArray(values)) continue;
    const at = place(r.stage);
    if (at === null) continue;
    const xs = finite(values);
    if (xs.length === 0) continue; // every seed diverged here: nothing to draw
    const { mean, ci95 } = meanCi(xs);
    const half = Number.isFinite(ci95) ? ci95 : 0;
    const points = byStage.get(r.stage) ?? [];
    points.push({ ...at, step: r.step, mean, lo: mean - half, hi: mean + half, n: xs.length });
    byStage.set(r.stage, points);
  }
  return [...byStage.values()].filter((points) => points.length >= 2).flat();
}

/** Names of the metrics logged as per-seed arrays at two or more steps of some stage. */
export function curveMetrics(records: readonly MetricsRecord[]): string[] {
  const counts = new Map<string, Map<string, number>>();
  for (const r of records) {
    for (const [key, value] of Object.entries(r)) {
      if (key === 'stage' || key === 'step' || !Array.isArray(value)) continue;
      const perStage = counts.get(key) ?? new Map<string, number>();
      perStage.set(r.stage, (perStage.get(r.stage) ?? 0) + 1);
      counts.set(key, perStage);
    }
  }
  return [...counts].filter(([, perStage]) => [...perStage.values()].some((n) => n >= 2)).map(([key]) => key);
}
