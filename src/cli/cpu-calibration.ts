// `traitlab plan --cpu`: the CPU time a run of an experiment file will take on this machine,
// estimated from two short runs of the same file. Every step count in the file (each `steps`)
// and every probe interval (each `probeEvery`) is scaled by a factor f, so a shortened run does
// the same kinds of work with the same number of probes; it is run twice, at f and 3f, bases
// first (pretraining, into a temporary cache) and then the arms on them. CPU time (the process's,
// worker threads included) is taken as linear in f — what does not scale with the steps
// (drawing probe sets, a teacher's fixed set, the probes, starting workers) is the intercept —
// and extrapolated to f = 1. f is about 1 %, chosen so that every scaled probe interval is a
// whole number (calibrationFactors): then the shortened runs probe as often as the real one, which
// matters where probes are a large share of the work (EM). An estimate: a step's cost does not
// depend on how many there are, but the machine's load does change what a second of CPU buys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentBase } from '../config/experiment-base.js';
import { ConfigError } from '../config/errors.js';
import { runExperiment } from '../registry/run-experiment.js';
import { runWorlds } from '../registry/run-worlds.js';
import { worldOf } from '../registry/worlds.js';
import type { RunHooks } from '../run/types.js';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Every `probeEvery` in the config. */
function probeIntervals(v: unknown): number[] {
  if (Array.isArray(v)) return v.flatMap(probeIntervals);
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => (k === 'probeEvery' && typeof x === 'number' ? [x] : probeIntervals(x)));
}

/**
 * The two fractions of the steps the calibration runs, f and 3f. f = m / g for g the greatest
 * common divisor of the file's probe intervals and m the whole number nearest 1 % of g, so every
 * scaled interval is whole and the probes stay as many; when that would run more than 5 % of the
 * steps (intervals with a small common divisor), f = 1 % and the intervals are rounded.
 */
export function calibrationFactors(exp: ExperimentBase): [number, number] {
  const intervals = probeIntervals(exp);
  const g = intervals.length ? intervals.reduce(gcd) : 100;
  const m = Math.max(1, Math.round(0.01 * g));
  return m / g <= 0.05 ? [m / g, (3 * m) / g] : [0.01, 0.03];
}

/** CPU seconds of a whole run of the file, by stage. */
export interface CpuEstimate {
  /** The two fractions of the steps run. */
  factors: [number, number];
  /** Pretraining the bases (and EM's aligned models): paid only where they are not cached. */
  pretrainSeconds: number;
  /** The arm stage: teachers, students, probes. */
  armSeconds: number;
  /** CPU the calibration itself took. */
  calibrationSeconds: number;
}

/** The config with every `steps` and `probeEvery` scaled by f (at least 1 each), validated as a file would be. */
export function scaledExperiment(exp: ExperimentBase, f: number): ExperimentBase {
  const scale = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scale);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, (k === 'steps' || k === 'probeEvery') && typeof x === 'number' ? Math.max(1, Math.round(x * f)) : scale(x)]),
    );
  };
  try {
    return runWorlds.parse(scale(exp));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError('--cpu', `the file cannot be shortened to ${percent(f)} of its steps for the calibration (${e.message}); plan it without --cpu`);
  }
}

/** A calibration fraction as printed: "1 %", "2 %", "0.5 %". */
export const percent = (f: number): string => `${Number((f * 100).toFixed(2))} %`;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const quiet: RunHooks = { onMetrics: () => {}, onProgress: () => {} };

/** CPU seconds of the two stages of one shortened run, in a cache of its own (removed after). */
async function timedRun(exp: ExperimentBase, jobs: number): Promise<{ pretrain: number; arms: number }> {
  const world = worldOf(exp);
  const dir = mkdtempSync(join(tmpdir(), 'traitlab-calibrate-'));
  const before = process.env.TRAITLAB_CACHE;
  process.env.TRAITLAB_CACHE = dir;
  try {
    const t0 = cpuSeconds();
    if (world.pretrain) await world.pretrain(exp, quiet, join(dir, 'bases'), jobs);
    const t1 = cpuSeconds();
    await runExperiment(exp, quiet, { jobs });
    return { pretrain: t1 - t0, arms: cpuSeconds() - t1 };
  } finally {
    if (before === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Linear in f through the two calibration points, read at f = 1 (never below the longer run's). */
export function extrapolate(f: readonly [number, number], t: readonly [number, number]): number {
  const slope = (t[1] - t[0]) / (f[1] - f[0]);
  return Math.max(t[1], t[0] + slope * (1 - f[0]));
}

/** Runs the calibration on the selected backend; `onStep` is told as each shortened run starts. */
export async function estimateCpu(exp: ExperimentBase, jobs: number, onStep: (f: number) => void): Promise<CpuEstimate> {
  const start = cpuSeconds();
  const factors = calibrationFactors(exp);
  const runs: { pretrain: number; arms: number }[] = [];
  for (const f of factors) {
    onStep(f);
    runs.push(await timedRun(scaledExperiment(exp, f), jobs));
  }
  const [a, b] = runs as [{ pretrain: number; arms: number }, { pretrain: number; arms: number }];
  return {
    factors,
    pretrainSeconds: extrapolate(factors, [a.pretrain, b.pretrain]),
    armSeconds: extrapolate(factors, [a.arms, b.arms]),
    calibrationSeconds: cpuSeconds() - start,
  };
}
