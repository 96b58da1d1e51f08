// `traitlab show <run-dir> --csv metrics|summary`: a run's files as long CSV tables for pandas
// or a spreadsheet (columns in docs/run-files.md). A bad metrics.jsonl line is refused, naming
// the line: a table silently missing rows would be worse than none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { toCsv } from '../report/csv/csv-text.js';
import { METRICS_COLUMNS, metricsRows } from '../report/csv/metrics-csv.js';
import { SUMMARY_COLUMNS, summaryRows } from '../report/csv/summary-csv.js';
import { badLineError, parseMetricsText } from '../report/metrics-file.js';
import { declaredSummaryWorld, summaryWorldLabel } from '../registry/worlds.js';

export const CSV_TABLES = ['metrics', 'summary'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

/** `summary` is summary.json as read by show (already checked to be a run summary). */
export function runCsv(table: CsvTable, dir: string, given: string, summary: Record<string, unknown>): string {
  if (table === 'summary') return toCsv(SUMMARY_COLUMNS, summaryRows(summary, summaryWorldLabel(summary)));
  const shown = join(given, 'metrics.jsonl');
  let text: string;
  try {
    text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(shown, code === 'ENOENT' ? 'not found; this run directory has no metrics (use --csv summary)' : `cannot be read (${code ?? (e as Error).message}); check its permissions`);
  }
  const { records, bad } = parseMetricsText(text);
  if (bad.length > 0) throw badLineError(shown, bad[0]!);
  const seeds = typeof summary.seeds === 'number' ? summary.seeds : 0;
  const cells = Array.isArray(summary.cells) ? summary.cells.map(String) : [];
  return toCsv(METRICS_COLUMNS, metricsRows(records, { world: summaryWorldLabel(summary), paired: declaredSummaryWorld(summary).pairedMembers === true, seeds, cells }));
}
