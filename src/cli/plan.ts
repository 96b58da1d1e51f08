// `traitlab plan <file> [--shards n] [--emit slurm|k8s]`: what a run of the file will do before
// it starts — its arms (EM: its tasks) and, with --shards, each shard's share, as `traitlab run
// --shard i/n` deals them out — and, with --emit, the job-array files that run the shards on a
// cluster and merge them (src/run/job-scripts.ts). Nothing is trained; bad input is one line.
import type { Command } from 'commander';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import type { ExperimentBase } from '../config/experiment-base.js';
import { loadRunFile } from '../registry/load-run-file.js';
import { checkRegistryNames, worldOf } from '../registry/worlds.js';
import { k8sManifests, slurmScripts, type JobPlan } from '../run/job-scripts.js';
import { assertOutLocation } from '../run/out-location.js';
import { RunDir } from '../run/run-dir.js';
import { checkShardable, shardArms, shardUnits, type ShardSpec } from '../run/shard.js';
import type { CliIo } from './io.js';
import { jobsOption, parseOptions } from './options.js';
import { checkSweepShard } from './run-sweep.js';
import { estimateCpu, percent, type CpuEstimate } from './cpu-calibration.js';
import { BACKEND_CHOICES, selectBackend } from '../engine/backend.js';
import { sweepCostsOf, sweepPicks, sweepUnitName, sweepUnitsOf } from './sweep-units.js';
import { shownPath } from './shown-path.js';

const wholeNumber = z.string().regex(/^[1-9][0-9]*$/, 'use a whole number ≥ 1, e.g. --shards 4').transform(Number);

const planOptions = z
  .object({
    shards: wholeNumber.optional(),
    emit: z.enum(['slurm', 'k8s']).optional(),
    out: z.string().min(1).optional(),
    runs: z.string().min(1).optional(),
    jobs: jobsOption.optional(),
    cpu: z.boolean().optional(),
    seeds: z.string().regex(/^[0-9]+$/, 'use a whole number, e.g. --seeds 3').transform(Number).optional(),
    backend: z.enum(BACKEND_CHOICES).optional(),
  })
  .strict();

/** One shard's share: its arms (or tasks), by point for a sweep. */
interface ShardShare {
  shard: ShardSpec;
  /** `arm` for one file, `point label: arm` for a sweep. */
  units: string[];
  /** Its fraction of the estimated arm-stage work, when the world estimates it. */
  work?: number;
}

interface PlannedRun {
  name: string;
  world: string;
  seeds: number;
  /** What is dealt out: "arm", or the world's unit ("task"). */
  unit: string;
  units: string[];
  shares: ShardShare[];
  points?: number;
  /** The experiment, when the file is not a sweep (what --cpu calibrates). */
  exp?: ExperimentBase;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function planOf(file: string, count: number, io: CliIo, seeds?: number): PlannedRun {
  const loaded = loadRunFile(file, { seeds }, io.cwd, checkRegistryNames);
  const specs = Array.from({ length: count }, (_, i): ShardSpec => ({ index: i + 1, count }));
  if (loaded.kind === 'experiment') {
    const exp: ExperimentBase = loaded.exp;
    const world = worldOf(exp);
    if (count > 1) checkShardable(exp, specs[0]!, world);
    const unit = world.shardUnits?.unit ?? 'arm';
    const units = shardUnits(exp, world);
    const costs = world.unitCosts?.(exp);
    const work = costs && new Map(units.map((u, i) => [u, costs[i]! / costs.reduce((a, b) => a + b, 0)]));
    const shares = specs.map((s) => {
      const mine = shardArms(exp, s, world);
      return { shard: s, units: mine, ...(work ? { work: mine.reduce((sum, u) => sum + work.get(u)!, 0) } : {}) };
    });
    return { name: exp.name, world: exp.world, seeds: exp.seeds, unit, units, shares, exp };
  }
  const points = loaded.plan.points;
  const first = points[0]!.exp;
  if (count > 1) checkSweepShard(loaded.plan, specs[0]!);
  const units = points.map((p) => sweepUnitsOf(p.exp));
  const pairs = points.flatMap((p, i) => units[i]!.map((u) => `${p.label}: ${u}`));
  const costs = points.map((p) => sweepCostsOf(p.exp));
  const total = costs.every((c) => c !== undefined) ? costs.flat().reduce((a, b) => a! + b!, 0)! : undefined;
  const shares = specs.map((s) => {
    const picks = sweepPicks(
      points.map((p) => p.exp),
      s,
    );
    const mine = points.flatMap((p, i) => picks[i]!.map((u) => `${p.label}: ${u}`));
    const work = total === undefined ? undefined : points.reduce((sum, _, i) => sum + picks[i]!.reduce((w, u) => w + costs[i]![units[i]!.indexOf(u)]!, 0), 0) / total;
    return { shard: s, units: mine, ...(work !== undefined ? { work } : {}) };
  });
  return { name: first.name, world: first.world, seeds: first.seeds, unit: sweepUnitName(first), units: pairs, shares, points: points.length };
}

function describe(p: PlannedRun): string {
  const head = `${p.name} (${p.world} world): ${plural(p.seeds, 'seed')}, ${plural(p.units.length, p.unit)}${p.points ? ` over ${plural(p.points, 'sweep point')}` : ''}`;
  const lines = [head];
  if (p.shares.length === 1) lines.push(...p.units.map((u) => `  ${u}`));
  else
    for (const s of p.shares) {
      const work = s.work === undefined ? '' : `, ${(100 * s.work).toFixed(0)} % of the ${p.unit}s' estimated work`;
      lines.push(`shard ${s.shard.index}/${s.shard.count}: ${plural(s.units.length, p.unit)}${work}`, ...s.units.map((u) => `  ${u}`));
    }
  lines.push(`Each shard pretrains the bases its ${p.unit}s need unless they are cached; run the shards with traitlab run <file> --shard i/${p.shares.length} (or --shard auto in a job array) and join them with traitlab merge.`);
  return lines.join('\n');
}

/** Writes the files into a fresh directory, all or none (a RunDir: written under .partial, then renamed). */
function writeJobFiles(dir: string, files: ReturnType<typeof slurmScripts>, shown: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new ConfigError('--out', `${shown} already exists and is not empty; choose another --out, or remove it`);
  const out = RunDir.create(dir);
  try {
    for (const f of files) {
      writeFileSync(out.path(f.name), f.text);
      if (f.executable) chmodSync(out.path(f.name), 0o755);
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

async function plan(file: string, raw: unknown, io: CliIo): Promise<void> {
  const opts = parseOptions(planOptions, raw);
  const count = opts.shards ?? 1;
  const planned = planOf(file, count, io, opts.seeds);
  if (opts.cpu && planned.exp === undefined) throw new ConfigError('--cpu', 'calibrates one experiment, not a sweep; write the point you want timed as a file and plan that with --cpu');
  io.out(describe(planned));
  if (opts.emit !== undefined) emit(file, planned, count, opts, io);
  if (opts.cpu) await printCpuEstimate(planned, opts.jobs ?? 2, opts, io);
}

/** The calibrated CPU estimate (cpu-calibration.ts), whole and per shard, on the backend the run would use. */
async function printCpuEstimate(planned: PlannedRun, jobs: number, opts: z.infer<typeof planOptions>, io: CliIo): Promise<void> {
  const backend = await selectBackend(opts.backend ?? 'auto');
  const estimate = await estimateCpu(planned.exp!, jobs, (f) => io.err(`calibrating on ${backend}: a run of ${percent(f)} of the steps…`));
  io.out(cpuLines(planned, estimate).join('\n'));
}

/** CPU time as read: seconds to a hundredth under 10 s, to a tenth under a minute and a half, else minutes to a tenth. */
const minutes = (seconds: number) => (seconds < 10 ? `${seconds.toFixed(2)} s` : seconds < 90 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`);

/** The estimate as printed: the whole run's stages, then each shard's arm share (by the world's work estimate, else by count). */
export function cpuLines(planned: Pick<PlannedRun, 'shares' | 'units'>, e: CpuEstimate): string[] {
  const lines = [
    `Estimated CPU time on this machine (extrapolated from runs of ${e.factors.map(percent).join(' and ')} of the steps, which took ${minutes(e.calibrationSeconds)}): ` +
      `arms ${minutes(e.armSeconds)}, plus ${minutes(e.pretrainSeconds)} of pretraining where the bases are not cached. An estimate: the machine's other load changes it.`,
  ];
  if (planned.shares.length > 1)
    for (const s of planned.shares) {
      const share = s.work ?? s.units.length / planned.units.length;
      lines.push(`  shard ${s.shard.index}/${s.shard.count}: arms ${minutes(share * e.armSeconds)}, plus pretraining where its bases are not cached`);
    }
  return lines;
}

function emit(file: string, planned: PlannedRun, count: number, opts: z.infer<typeof planOptions>, io: CliIo): void {
  const dir = resolve(io.cwd, opts.out ?? `jobs/${planned.name}-${count}-${opts.emit}`);
  const shown = shownPath(dir, io.cwd);
  assertOutLocation(dirname(dir), `--out ${shown}`, 'give --out a folder you can write to, e.g. --out jobs/my-sweep');
  const jobPlan: JobPlan = {
    name: planned.name,
    file: relative(io.cwd, resolve(io.cwd, file)),
    shards: count,
    out: opts.runs ?? `runs/${planned.name}`,
    cpus: opts.jobs ?? 2,
    // The run's own overrides, so every shard runs what was planned.
    runOptions: [...(opts.seeds !== undefined ? ['--seeds', String(opts.seeds)] : []), ...(opts.backend !== undefined ? ['--backend', opts.backend] : [])],
  };
  const files = opts.emit === 'slurm' ? slurmScripts(jobPlan) : k8sManifests(jobPlan);
  writeJobFiles(dir, files, shown);
  const start = opts.emit === 'slurm' ? `bash ${shown}/submit.sh` : `bash ${shown}/apply.sh`;
  io.err(`wrote ${files.map((f) => f.name).join(', ')} to ${shown}: ${count} shard${count === 1 ? '' : 's'} into ${jobPlan.out}/shards, merged into ${jobPlan.out}/merged; start them with ${start} from this directory`);
}

export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description('print what a run of an experiment file does, and each shard\'s share (--shards n); --emit writes a Slurm array or Kubernetes Indexed Job that runs the shards and merges them')
    .argument('<file>', 'the experiment file (or sweep)')
    .option('--shards <n>', 'split the run into n shards, as traitlab run --shard i/n deals them out (default 1)')
    .option('--emit <scheduler>', 'write job files for "slurm" (shards.sbatch, merge.sbatch, submit.sh) or "k8s" (shards.json, merge.json, apply.sh)')
    .option('--out <dir>', 'where --emit writes its files (default jobs/<experiment>-<n>-<scheduler>); must not exist or be empty')
    .option('--runs <dir>', 'where the jobs write the shards and the merged run (default runs/<experiment>)')
    .option('--jobs <n>', 'cores per shard (the run\'s --jobs; default 2)')
    .option('--seeds <n>', 'number of seeds, overriding the file (passed on to the emitted runs)')
    .option('--backend <name>', `tfjs backend of the emitted runs and of --cpu: ${BACKEND_CHOICES.join(', ')} (default: auto)`)
    .option('--cpu', 'estimate the CPU time on this machine from two short runs of the file (about 1 % and 3 % of its steps)')
    .action((file: string, raw: unknown) => plan(file, raw, io));
}
