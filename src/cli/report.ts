// `traitlab report <run-dir>`: (re)writes the run's report.html from its summary.json,
// metrics.jsonl and manifest.json. The page is derived data, so an existing one is replaced.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { buildSweepReport } from '../report/sweep/sweep-report.js';
import { REPORT_FILE, writeReport } from '../report/write-report.js';
import { writeFileAtomic } from '../run/run-dir.js';
import { readSweepManifest } from '../run/sweep-dir.js';
import type { CliIo } from './io.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

export async function report(runDir: string, io: CliIo): Promise<void> {
  const dir = resolve(io.cwd, runDir);
  if (readSweepManifest(dir) !== null) {
    // A sweep's page is drawn from its summary.json; each point's own report is its run's.
    const built = await buildSweepReport(dir);
    writeFileAtomic(join(dir, REPORT_FILE), built.html);
    for (const w of built.warnings) printWarning(io, w);
    return io.out(`wrote ${shownPath(join(dir, REPORT_FILE), io.cwd)}`);
  }
  const { file, warnings } = await writeReport(dir);
  for (const w of warnings) printWarning(io, `${w}`);
  io.out(`wrote ${shownPath(file, io.cwd)}`);
}

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('write <run-dir>/report.html: charts, claims and manifest in one page that opens offline')
    .argument('<run-dir>', 'a finished run directory (one with summary.json)')
    .action((runDir: string) => report(runDir, io));
}
