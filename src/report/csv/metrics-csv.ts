// metrics.jsonl as a long ("tidy") table: one row per stage, step, metric, cell and seed.
// Lines that log no metric (the channel's per-step `source` lines) give no row; a logged step
// carries its `source` in a column. In a world with paired members (numbers) a student arm's
// `loss` (and a fine-tuned teacher's) holds 2 × seeds values, the students distilled from the trait teacher
// first, then those distilled from the control teacher: the `side` column says which.
import type { MetricsRecord } from '../../run/types.js';
import type { CsvCell } from './csv-text.js';

export const METRICS_COLUMNS = ['world', 'stage', 'step', 'source', 'metric', 'side', 'cell', 'seed', 'value'] as const;

export interface MetricsContext {
  /** Labels every row. */
  world: string;
  /** Arrays of 2 × seeds values hold the trait side, then the control side (the world's `pairedMembers`). */
  paired: boolean;
  seeds: number;
  /** Names of the EM cells, for `harmByCell` ([cell][seed]). */
  cells: readonly string[];
}

const isNumberLike = (x: unknown) => typeof x === 'number' || x === null;

export function metricsRows(records: readonly MetricsRecord[], ctx: MetricsContext): CsvCell[][] {
  const rows: CsvCell[][] = [];
  const M = ctx.seeds;
  for (const r of records) {
    const source = typeof r.source === 'string' ? r.source : '';
    const row = (metric: string, side: string, cell: string, seed: number, value: unknown) => rows.push([ctx.world, r.stage, r.step, source, metric, side, cell, seed, value as number | null]);
    for (const [metric, value] of Object.entries(r)) {
      if (metric === 'stage' || metric === 'step' || metric === 'source' || !Array.isArray(value)) continue;
      if (value.every(isNumberLike)) {
        const paired = ctx.paired && value.length === 2 * M;
        value.forEach((v, i) => row(metric, paired ? (i < M ? 'trait' : 'control') : '', '', paired ? i % M : i, v));
      } else if (value.every(Array.isArray)) {
        value.forEach((perSeed: unknown[], c) => perSeed.forEach((v, seed) => row(metric, '', ctx.cells[c] ?? String(c), seed, v)));
      }
    }
  }
  return rows;
}
