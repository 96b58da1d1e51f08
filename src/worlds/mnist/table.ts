// The terminal table printed after a run. A pure function of the summary (and the run
// directory path), so it is tested without running anything.
import type { MnistRunSummary } from './summary.js';
import { seedsText } from '../../engine/seed-data.js';

/** Per-seed values beyond this many are elided in the table; summary.json has them all. */
export const MAX_SEED_COLUMNS = 10;

const pct = (fraction: number) => (Number.isFinite(fraction) ? (100 * fraction).toFixed(1) : '–');

/** `66.1 ± 4.2 %`; one seed has no interval: `66.1 ± – %`. */
export function formatMeanCi(mean: number, ci95: number): string {
  return `${pct(mean)} ± ${pct(ci95)} %`;
}

function formatSeeds(values: readonly number[]): string {
  const shown = values.slice(0, MAX_SEED_COLUMNS).map((v) => pct(v).padStart(5));
  const rest = values.length - shown.length;
  return shown.join(' ') + (rest > 0 ? ` … (+${rest} more in summary.json)` : '');
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // The last column is left ragged: padding it would only add trailing spaces.
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

export function formatMnistTable(summary: MnistRunSummary, runDir: string): string {
  const header = ['arm', 'kind', 'test accuracy', 'per seed (%)'];
  // Padded so the ± signs line up down the column.
  const rows = summary.arms.map((a) => [a.name, a.kind, `${pct(a.mean).padStart(5)} ± ${pct(a.ci95).padStart(4)} %`, formatSeeds(a.accuracy)]);
  const seeds = seedsText(summary.seeds, summary.seedsVary);
  return [
    `${summary.experiment} · ${seeds} · root seed ${summary.rootSeed} · backend ${summary.backend}`,
    '',
    ...alignColumns([header, ...rows]),
    '',
    `accuracy: ${summary.interval}`,
    `run directory: ${runDir}`,
  ].join('\n');
}
