// What `traitlab run` says about the report.html it writes at the end of the run: where it is
// (after the table), or a one-line warning when it could not be written, with the command that
// writes it later. The run itself succeeds either way: its results are already on disk.
import { join } from 'node:path';
import { REPORT_FILE, type ReportOutcome } from '../report/write-report.js';
import type { CliIo } from './io.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

export interface ReportNotice {
  /** Pass as RunRequest.onReport; warnings go to stderr at once. */
  onReport(outcome: ReportOutcome): void;
  /** Prints `report: <path>` if it was written. */
  printWhere(): void;
}

export function reportNotice(io: CliIo, dir: string): ReportNotice {
  let written = false;
  return {
    onReport(outcome) {
      if (!outcome.ok) {
        printWarning(io, `${REPORT_FILE} was not written (${outcome.error}); the run's results are complete: write it with traitlab report ${shownPath(dir, io.cwd)}`);
        return;
      }
      written = true;
      for (const w of outcome.warnings) printWarning(io, `${w}`);
    },
    printWhere() {
      if (written) io.out(`report: ${shownPath(join(dir, REPORT_FILE), io.cwd)}`);
    },
  };
}
