// `traitlab run <file>`: validate the experiment and the options, pick the backend, run into a
// fresh run directory, print the table. Bad input fails before any directory is made.
// `traitlab run --resume <run-dir>` continues an interrupted run instead (resume-start.ts).
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { loadExperimentFile } from '../registry/load-experiment.js';
import { BACKEND_CHOICES, selectBackend } from '../engine/backend.js';
import { seedsText } from '../engine/seed-data.js';
import { teacherNameWarnings } from '../../teachers/index.js';
import { checkRegistryNames, worldOf } from '../registry/worlds.js';
import { assertOutLocation } from '../run/out-location.js';
import { assertFreeTarget, resolveRunDir } from '../run/run-dir.js';
import { checkShardable, shardArms, shardLabel } from '../run/shard.js';
import { formatRunOutput } from '../report/run-output.js';
import { executeRun, type RunRequest } from './execute-run.js';
import type { CliIo } from './io.js';
import { parseRunOptions, type RunCommandOptions, type RunStart } from './run-options.js';
import { shownPath } from './shown-path.js';
import { resumeStart } from './resume-start.js';
import { printWarning } from './warning-line.js';
import { reportNotice } from './run-report.js';
import { inRunSession } from './run-session.js';
import { runSweep, sweepStart } from './run-sweep.js';

async function freshStart(file: string | undefined, opts: RunCommandOptions, io: CliIo): Promise<RunStart> {
  if (file === undefined) throw new ConfigError('<file>', 'missing; give an experiment file (traitlab run <file>), or --resume <run-dir> to continue an interrupted run');
  const experimentFile = resolve(io.cwd, file);
  const exp = loadExperimentFile(file, { seeds: opts.seeds }, io.cwd, checkRegistryNames);
  // An old teacher name is said once, and kept: the manifest records the file as validated, so
  // the run directory's config hash is the one the same file always had, and shards of it started
  // before the rename still merge with shards started after (merge compares the configs).
  for (const line of teacherNameWarnings(exp, file)) printWarning(io, line);
  if (opts.shard) checkShardable(exp, opts.shard, worldOf(exp));
  // The name comes from the start time; a clash with an existing directory is refused, not merged.
  // Shards started in the same second on one machine get distinct default names.
  const named = resolveRunDir(exp, { cwd: io.cwd, out: opts.out, now: new Date() });
  const dir = opts.shard && opts.out === undefined ? `${named}-shard${opts.shard.index}of${opts.shard.count}` : named;
  // Before the backend loads: a location that cannot take the run fails now, not after the training.
  assertOutLocation(dirname(dir), opts.out !== undefined ? `--out ${opts.out}` : shownPath(dir, io.cwd), 'give --out a folder you can write to, e.g. --out runs/my-run');
  assertFreeTarget(dir);
  const backend = await selectBackend(opts.backend);
  const slice = opts.shard ? ` shard ${shardLabel(opts.shard)} (${shardArms(exp, opts.shard, worldOf(exp)).join(', ')})` : '';
  io.err(`running ${exp.name}${slice}: ${seedsText(exp.seeds, exp.seedsVary)}, root seed ${exp.rootSeed}, backend ${backend} → ${shownPath(dir, io.cwd)}`);
  return { exp, experimentFile, dir, backend, shard: opts.shard };
}

export async function run(file: string | undefined, raw: unknown, io: CliIo): Promise<void> {
  const opts = parseRunOptions(raw, process.env);
  const sweep = await sweepStart(file, opts, io);
  if (sweep !== null) return runSweep(sweep, opts, io);
  const start = opts.resume !== undefined ? await resumeStart(file, opts, io) : await freshStart(file, opts, io);
  const { dir } = start;
  const report = reportNotice(io, dir);
  const summary = await inRunSession(io, opts, dir, worldOf(start.exp).pretrain !== undefined, (session) => executeRun({ ...start, ...session, onReport: report.onReport }));
  io.out(opts.json ? JSON.stringify(summary, null, 2) : formatRunOutput(summary, shownPath(dir, io.cwd)));
  if (!opts.json) report.printWhere(); // --json keeps stdout one JSON document
}

export function registerRun(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('run an experiment file and write a run directory (Ctrl-C stops it with a checkpoint; --resume continues it)')
    .argument('[file]', 'experiment file (JSON; see traitlab list and traitlab schema)')
    .option('--seeds <n>', 'number of seeds, overriding the file')
    .option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--jobs <n>', 'worker threads for independent arms (default: the number of cores); results do not depend on it')
    .option('--out <dir>', 'run directory (default: runs/<experiment>-<UTC time>-<config hash>); must not exist or be empty')
    .option('--shard <i/n>', 'run only shard i of n (1-based) of the file\'s arms (of an EM file: its tasks; of a sweep: its point-arm or point-task pairs), dealt costliest first to the least-loaded shard where the world estimates their work, else round-robin (arms i, i+n, …); join the n run directories with traitlab merge. auto (or auto/n) reads i and n from a Slurm array, Kubernetes Indexed Job or AWS Batch array job')
    .option('--json', 'print the summary (arms and claims, as in summary.json) instead of the table, for scripts')
    .option('--resume <run-dir>', 'continue an interrupted run (its <run-dir>.partial) from its checkpoint, with the config in its manifest; give no file')
    .action((file: string | undefined, raw: unknown) => run(file, raw, io));
}
