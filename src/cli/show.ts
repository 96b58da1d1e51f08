// `traitlab show <run-dir>`: prints a finished run's table and claims again, from its
// summary.json (and a line of context from manifest.json); `--json` prints summary.json itself,
// `--csv metrics|summary` a long CSV table (show-csv.ts).
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { StoredClaim } from '../report/claims-table.js';
import { ConfigError } from '../config/errors.js';
import { checkFinishedDir } from '../run/finished-dir.js';
import type { Manifest } from '../run/manifest.js';
import type { RunSummaryBase } from '../run/types.js';
import { formatRunOutput } from '../report/run-output.js';
import type { CliIo } from './io.js';
import { parseOptions } from './options.js';
import { CSV_TABLES, runCsv } from './show-csv.js';
import { shownPath } from './shown-path.js';
import { readSweepManifest } from '../run/sweep-dir.js';
import { sweepCsv } from '../report/sweep/sweep-csv.js';
import type { SweepSummary } from '../report/sweep/sweep-summary.js';
import { formatSweepTable } from '../report/sweep/sweep-table.js';

const showOptions = z
  .object({ json: z.boolean().optional(), csv: z.enum(CSV_TABLES).optional() })
  .strict()
  .refine((o) => !(o.json && o.csv), { message: 'give --json or --csv, not both', path: ['csv'] });

type StoredSummary = RunSummaryBase & { claims?: StoredClaim[] };

/** Names the problem with `given` (as the user typed it) when it is not a finished run directory. */
function checkRunDir(given: string, dir: string): void {
  checkFinishedDir(given, dir, { verb: 'show', holds: 'summary.json' });
  if (!existsSync(join(dir, 'summary.json'))) throw new ConfigError(given, 'has no summary.json, so it is not a finished run directory; give one that traitlab run wrote (under runs/)');
}

function readJson(file: string, shown: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(shown, `cannot be read as JSON (${(e as Error).message.split('\n')[0]}); restore it from the run or re-run the experiment`);
  }
}

function readSummary(dir: string, given: string): StoredSummary {
  const shown = join(given, 'summary.json');
  const summary = readJson(join(dir, 'summary.json'), shown);
  const s = summary as Partial<StoredSummary> | null;
  // A light check: the tables read more fields, but anything with these came from a run.
  if (typeof s !== 'object' || s === null || typeof s.experiment !== 'string' || !Array.isArray(s.arms))
    throw new ConfigError(shown, 'is not a traitlab run summary (needs "experiment" and "arms"); give a directory that traitlab run wrote');
  return summary as StoredSummary;
}

/** One line of context from manifest.json, or undefined when it is missing or unreadable. */
function context(dir: string, cwd: string): string | undefined {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Partial<Manifest>;
  } catch {
    return undefined; // the summary is what show prints; a damaged manifest only loses the context line
  }
  const parts = [
    m.startedAt ? `started ${m.startedAt}` : undefined,
    typeof m.wallSeconds === 'number' ? `wall time ${m.wallSeconds} s` : undefined,
    m.git ? `traitlab ${m.git.commit.slice(0, 7)}${m.git.dirty ? ' (uncommitted changes)' : ''}` : undefined,
    m.experimentFile ? `from ${isAbsolute(m.experimentFile) ? shownPath(m.experimentFile, cwd) : m.experimentFile}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length ? parts.join(' · ') : undefined;
}

function show(given: string, raw: unknown, io: CliIo): void {
  const opts = parseOptions(showOptions, raw);
  const dir = resolve(io.cwd, given);
  checkRunDir(given, dir);
  if (readSweepManifest(dir) !== null) return showSweep(dir, given, opts, io);
  const summary = readSummary(dir, given);
  if (opts.json) return io.out(JSON.stringify(summary, null, 2));
  if (opts.csv) return io.out(runCsv(opts.csv, dir, given, summary as unknown as Record<string, unknown>).replace(/\n$/, ''));
  const line = context(dir, io.cwd);
  io.out([...(line ? [line, ''] : []), formatRunOutput(summary, given)].join('\n'));
}

/** A sweep directory: its table (points × arms), summary.json, or sweep.csv for `--csv summary`. */
function showSweep(dir: string, given: string, opts: z.output<typeof showOptions>, io: CliIo): void {
  const summary = readJson(join(dir, 'summary.json'), join(given, 'summary.json')) as SweepSummary;
  if (opts.json) return io.out(JSON.stringify(summary, null, 2));
  if (opts.csv === 'summary') return io.out(sweepCsv(summary).replace(/\n$/, ''));
  if (opts.csv) throw new ConfigError('--csv', `a sweep directory has no metrics.jsonl of its own; give a point's run directory (${given}/points/<point>) for --csv metrics`);
  const line = context(dir, io.cwd);
  io.out([...(line ? [line, ''] : []), formatSweepTable(summary, given)].join('\n'));
}

export function registerShow(program: Command, io: CliIo): void {
  program
    .command('show')
    .description("print a finished run's table and claims again, from its run directory")
    .argument('<run-dir>', 'a run directory (runs/<experiment>-<time>-<hash>)')
    .option('--json', 'print summary.json (arms and claims) instead of the table, for scripts')
    .option('--csv <table>', 'print "metrics" (metrics.jsonl) or "summary" (summary.json) as a long CSV table, one number per row (columns: docs/run-files.md)')
    .action((dir: string, raw: unknown) => show(dir, raw, io));
}
