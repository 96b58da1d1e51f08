// `<run-dir>/report.html`, written atomically (temp file + rename) from the run's own files:
// both `traitlab report` and the end of `traitlab run` come through here, so the report of a
// finished run and a regenerated one are the same page.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../run/run-dir.js';
import { buildReport } from './build-report.js';
import { readRunData } from './run-data.js';

export const REPORT_FILE = 'report.html';

export interface WrittenReport {
  file: string;
  /** One line each, for `traitlab: warning: …`: bad metrics lines, then chart warnings. */
  warnings: string[];
}

export async function writeReport(dir: string): Promise<WrittenReport> {
  const run = readRunData(dir);
  const built = await buildReport(run);
  const { html } = built;
  const warnings = [...run.warnings, ...built.warnings.map((w) => `chart ${w}`)];
  const file = join(dir, REPORT_FILE);
  try {
    writeFileAtomic(file, html);
  } catch (e) {
    rmSync(`${file}.tmp`, { force: true }); // writeFileAtomic's temp name; a half-written page must not linger
    throw e;
  }
  return { file, warnings };
}

/** How writing the report at the end of a run went; `traitlab run` reports it, never fails on it. */
export type ReportOutcome = { ok: true; warnings: string[] } | { ok: false; error: string };

/**
 * writeReport for the end of a run: never throws. The report is derived from files already
 * written, so a failure here (a charting bug, a full disk) must not cost the run its results;
 * `traitlab report <run-dir>` can write it later.
 */
export async function tryWriteReport(dir: string): Promise<ReportOutcome> {
  try {
    return { ok: true, warnings: (await writeReport(dir)).warnings };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
