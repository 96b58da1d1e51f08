// Reads metrics.jsonl line by line and says which lines are bad instead of dropping them
// silently: a killed or copied-in-part run leaves a torn last line, and everything after it is
// missing, so a reader must be told (the report warns and draws the rest; `show --csv` refuses).
import { ConfigError } from '../config/errors.js';
import type { MetricsRecord } from '../run/types.js';

export interface BadMetricsLine {
  /** 1-based line number in the file. */
  line: number;
  /** What is wrong with it, and what that means for the reader. */
  problem: string;
}

export interface MetricsFile {
  /** Every good record, in file order. */
  records: MetricsRecord[];
  bad: BadMetricsLine[];
}

export function parseMetricsText(text: string): MetricsFile {
  const records: MetricsRecord[] = [];
  const bad: BadMetricsLine[] = [];
  const lines = text.split('\n');
  // A file the run finished ends with a newline; text after the last one is a torn write.
  const torn = lines.at(-1) !== '';
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const isLast = i === lines.length - 1;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      bad.push({ line: i + 1, problem: isLast && torn ? 'cut off mid-line (invalid JSON): the file is truncated, so records after it are missing' : 'invalid JSON' });
      return;
    }
    const r = record as Partial<MetricsRecord> | null;
    if (typeof r !== 'object' || r === null || Array.isArray(r) || typeof r.stage !== 'string' || typeof r.step !== 'number') {
      bad.push({ line: i + 1, problem: 'not a metrics record (needs "stage" and "step")' });
      return;
    }
    records.push(r as MetricsRecord);
  });
  return { records, bad };
}

/** The problem as a ConfigError: one line naming the file, the line and the fix. */
export function badLineError(file: string, bad: BadMetricsLine): ConfigError {
  return new ConfigError(`${file} line ${bad.line}`, `${bad.problem}; restore the file from the run (or re-run it), or remove the line`);
}
