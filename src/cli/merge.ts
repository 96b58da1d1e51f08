// `traitlab merge <dirs…>`: joins the run directories of `traitlab run --shard i/n` (all n of
// them, once each) into one run directory, as the unsharded run would have written it: the
// claims are evaluated on the whole summary and report.html written from the merged files, by
// the same functions the end of a run uses. Like a run, it appears all at once or not at all.
import type { Command } from 'commander';
import { withClaims } from '../claims/run-claims.js';
import type { WithClaims } from '../claims/types.js';
import { dirname } from 'node:path';
import { mergeShards } from '../run/merge-shards.js';
import { warningsInMetrics, withWarnings } from '../run/warnings.js';
import { assertOutLocation } from '../run/out-location.js';
import { RunDir, resolveRunDir, writeFileAtomic } from '../run/run-dir.js';
import type { RunSummaryBase } from '../run/types.js';
import { readStoredRun } from '../run/stored-run.js';
import { runWorlds } from '../registry/run-worlds.js';
import { formatRunOutput } from '../report/run-output.js';
import { tryWriteReport } from '../report/write-report.js';
import { z } from 'zod';
import { isSweepDir, mergeSweep } from './merge-sweep.js';
import type { CliIo } from './io.js';
import { parseOptions } from './options.js';
import { reportNotice } from './run-report.js';
import { expandShardDirs } from './shard-dirs.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

const mergeOptions = z.object({ out: z.string().min(1).optional() }).strict();

async function merge(given: string[], raw: unknown, io: CliIo): Promise<void> {
  const opts = parseOptions(mergeOptions, raw);
  const dirs = expandShardDirs(given, io.cwd);
  if (dirs.length > 0 && isSweepDir(dirs[0]!, io.cwd)) return mergeSweep(dirs, opts.out, io);
  const runs = dirs.map((d) => readStoredRun(d, io.cwd, { needMetrics: true }, runWorlds));
  const now = new Date();
  const merged = mergeShards(runs, now);
  for (const w of merged.warnings) printWarning(io, `${w}; the merged numbers may not equal one run's`);
  const dir = resolveRunDir(merged.exp, { cwd: io.cwd, out: opts.out, now });
  assertOutLocation(dirname(dir), opts.out !== undefined ? `--out ${opts.out}` : shownPath(dir, io.cwd), 'give --out a folder you can write to');
  const runDir = RunDir.create(dir); // refuses a taken target before anything is written
  const report = reportNotice(io, dir);
  let summary: WithClaims<RunSummaryBase>;
  try {
    runDir.writeJson('manifest.json', merged.manifest);
    writeFileAtomic(runDir.path('metrics.jsonl'), merged.metricsText);
    summary = withWarnings(withClaims(merged.exp, merged.summary as unknown as RunSummaryBase), warningsInMetrics(merged.metricsText));
    runDir.writeJson('summary.json', summary);
    report.onReport(await tryWriteReport(runDir.partial));
    runDir.commit();
  } catch (e) {
    runDir.abort();
    throw e;
  }
  io.err(`merged ${runs.length} shard${runs.length === 1 ? '' : 's'} of ${merged.exp.name} (${merged.exp.arms.length} arms) → ${shownPath(dir, io.cwd)}`);
  io.out(formatRunOutput(summary, shownPath(dir, io.cwd)));
  report.printWhere();
}

export function registerMerge(program: Command, io: CliIo): void {
  program
    .command('merge')
    .description('join the run directories of traitlab run --shard 1/n … n/n into one run directory (sweep shards into one sweep directory)')
    .argument('<dirs...>', 'the shards\' run directories, each once, in any order; or a folder holding them, or a quoted pattern such as "runs/owl-shard*"')
    .option('--out <dir>', 'merged run directory (default: runs/<experiment>-<UTC time>-<config hash>); must not exist or be empty')
    .action((dirs: string[], raw: unknown) => merge(dirs, raw, io));
}
