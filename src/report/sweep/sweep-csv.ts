// sweep.csv: the sweep table for plotting elsewhere, one row per point, arm and seed (tidy):
// the swept values as columns named by their paths, then the arm, the seed and the value.
import { toCsv, type CsvCell } from '../csv/csv-text.js';
import type { SweepSummary } from './sweep-summary.js';

export const SWEEP_CSV = 'sweep.csv';

const cellOf = (v: unknown): CsvCell => (typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v));

export function sweepCsv(s: SweepSummary): string {
  const paths = s.sweep.map((e) => e.path);
  const rows = s.points.flatMap((p) =>
    p.arms.flatMap((a) => a.values.map((v, seed): CsvCell[] => [p.index, p.label, ...paths.map((path) => cellOf(p.settings[path])), a.name, s.metric, seed, v, a.mean, a.ci95])),
  );
  return toCsv(['point', 'label', ...paths, 'arm', 'metric', 'seed', 'value', 'mean', 'ci95'], rows);
}
