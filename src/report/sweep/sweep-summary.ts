// A sweep's summary.json: per point, which values it had, where its run directory is, and per
// arm the world's headline metric (its per-seed values, mean and 95 % t interval), with the
// point's claims as its own summary.json evaluated them — claims are per point; a sweep makes
// no claim across points. Built only from the points' summary.json files, so a sweep run whole,
// resumed, or merged from shards writes the same bytes.
import type { SweepEntry } from '../../config/sweep.js';
import { meanCi } from '../../probes/stats.js';
import { worldNamed } from '../../registry/worlds.js';
import type { RunSummaryBase } from '../../run/types.js';

/** What a sweep directory records of each point, before any point has run. */
export interface SweepPointRef {
  index: number;
  label: string;
  /** Relative to the sweep directory: `points/<index>-<label>`. */
  dir: string;
  /** Swept path → value at this point, in sweep order. */
  settings: Record<string, unknown>;
}

export interface SweepArm {
  name: string;
  /** The headline metric per seed (index i = seed i). */
  values: number[];
  mean: number | null;
  /** Half-width of the 95 % t interval over seeds (null for one seed). */
  ci95: number | null;
}

export interface SweepPointSummary extends SweepPointRef {
  arms: SweepArm[];
  /** The point's claims, one line each: evaluated on that point's seeds only. */
  claims: { id: string; verdict: string; pValue: number | null }[];
}

export interface SweepSummary {
  experiment: string;
  world: string;
  sweep: SweepEntry[];
  /** The metric of every arm in `points[].arms` (the world's headline metric). */
  metric: string;
  seeds: number;
  rootSeed: number;
  backend: string;
  interval: string;
  /** Points in run order; a shard's sweep directory lists only the points it ran. */
  points: SweepPointSummary[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface SweepHeader {
  experiment: string;
  world: string;
  sweep: SweepEntry[];
  seeds: number;
  rootSeed: number;
  backend: string;
}

type PointRun = RunSummaryBase & { claims?: readonly { id: string; verdict: string; pValue: number | null }[] };

/** `points`: each point that has a finished summary.json, with it. */
export function buildSweepSummary(header: SweepHeader, points: readonly { ref: SweepPointRef; summary: PointRun }[]): SweepSummary {
  const world = worldNamed(header.world);
  const metric = world.headlineMetric;
  return {
    ...header,
    metric,
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    points: points.map(({ ref, summary }) => ({
      ...ref,
      arms: summary.arms.flatMap((a) => {
        const values = world.claimSeries(summary, { arm: a.name, metric });
        if (values === undefined) return [];
        const { mean, ci95 } = meanCi(values);
        return [{ name: a.name, values: [...values], mean: finite(mean), ci95: finite(ci95) }];
      }),
      claims: (summary.claims ?? []).map((c) => ({ id: c.id, verdict: c.verdict, pValue: c.pValue })),
    })),
  };
}
