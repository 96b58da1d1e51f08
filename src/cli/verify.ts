// `traitlab verify <run-dir>`: re-runs a finished run from its manifest (the validated config,
// root seed, seeds; the same shard if it was one) into a temporary directory, and compares the
// new summary.json with the stored one, figure by figure. Exit 0 when it reproduces, 1 when a
// figure differs (each named by its JSON path), 2 when the run directory cannot be read.
import type { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { z } from 'zod';
import { BACKEND_CHOICES, selectBackend } from '../engine/backend.js';
import { compareSummaries, formatDifferences, type Tolerance } from '../run/compare-summary.js';
import { gitState, packageVersion, RECORDED_PACKAGES, type GitState } from '../run/manifest.js';
import { shardLabel } from '../run/shard.js';
import { readStoredRun, type StoredRun } from '../run/stored-run.js';
import { readSweepManifest } from '../run/sweep-dir.js';
import { runWorlds } from '../registry/run-worlds.js';
import { worldOf } from '../registry/worlds.js';
import { executeRun } from './execute-run.js';
import { endBySignal, SignalHandlers } from './interrupt.js';
import type { CliIo } from './io.js';
import { jobsOption, parseOptions } from './options.js';
import { packageRoot } from './package-root.js';
import { createProgress } from './progress.js';
import { printWarning } from './warning-line.js';

/**
 * Across backends (wasm's XNNPACK kernels against the JavaScript cpu kernels, or tfjs-node),
 * float sums run in another order and results differ in the last bits. Measured on a 3-seed
 * MNIST run (784-64-64-13, 3 teacher and 3 student epochs; wasm against cpu, 2026-11-27): 24 of
 * 27 figures identical, one seed's accuracy off by one test digit (5e-4), its mean by 1.7e-4 and
 * its interval half-width by 7.0e-4. An absolute 1e-3 on every figure (two test digits of
 * 2,000; a tenth of a percentage point of a probability) passes that with room, and half-widths
 * get 5 % of themselves on top (see Tolerance). The numbers world drifts much further: its
 * students train on sampled tokens, and a last-bit difference flips a sample and steers the
 * rest of training. Measured at toy size (width 16, learning rate 0.01, 2 seeds; wasm against
 * cpu): base p(owl) off by up to 8e-3, per-seed transfer by up to 7e-2. Its per-seed figures
 * are not expected to agree across backends, and verify says so, figure by figure.
 */
export const CROSS_BACKEND_TOLERANCE: Tolerance = { absolute: 1e-3, intervalRelative: 0.05 };

const verifyOptions = z
  .object({
    backend: z.enum(BACKEND_CHOICES).optional(),
    jobs: jobsOption.optional(),
    tolerance: z
      .string()
      .regex(/^([0-9]+\.?[0-9]*|\.[0-9]+)(e-?[0-9]+)?$/i, 'use a number ≥ 0, e.g. --tolerance 1e-3')
      .transform(Number)
      .optional(),
  })
  .strict();

/** The run did not reproduce; the differing figures are already printed. Exit code 1. */
export class NotReproducedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReproducedError';
  }
}

const showCommit = (g: GitState | null) => (g ? `${g.commit.slice(0, 7)}${g.dirty ? ' with uncommitted changes' : ''}` : 'no git checkout');

/** The warnings about the code: another commit, and uncommitted changes (one line, whichever side has them). */
export function checkoutWarnings(then: GitState | null, now: GitState | null): string[] {
  const warnings: string[] = [];
  if (then && now && then.commit !== now.commit) warnings.push(`the run was made at another commit (${then.commit.slice(0, 7)}, now ${now.commit.slice(0, 7)}); a difference may come from the code, not the run`);
  const where = then?.dirty && now?.dirty ? 'both the run and this re-run come' : then?.dirty ? 'the run was made' : now?.dirty ? 'this re-run comes' : null;
  if (where) warnings.push(`${where} from a checkout with uncommitted changes to tracked files; a difference may come from them`);
  return warnings;
}

/** Which code made the run and which code re-runs it; a difference may come from either. */
function reportProvenance(run: StoredRun, io: CliIo): void {
  const then = run.manifest.git ?? null;
  const now = gitState(packageRoot());
  io.out(`commit: run made at traitlab ${showCommit(then)}; this checkout is at ${showCommit(now)}`);
  for (const w of checkoutWarnings(then, now)) printWarning(io, `${w}`);
  const versions = run.manifest.versions ?? {};
  for (const name of RECORDED_PACKAGES) {
    const current = packageVersion(name, packageRoot());
    if (name in versions && versions[name] !== current) printWarning(io, `the run used ${name} ${versions[name] ?? '(not installed)'}, this checkout has ${current ?? '(not installed)'}; kernels may differ`);
  }
}

async function verify(given: string, raw: unknown, io: CliIo): Promise<void> {
  const opts = parseOptions(verifyOptions, raw);
  if (readSweepManifest(resolve(io.cwd, given)) !== null)
    throw new ConfigError(given, `is a sweep directory; verify re-runs one run, so give one of its points (${given}/points/<point>)`);
  const run = readStoredRun(given, io.cwd, { needMetrics: false }, runWorlds);
  const storedBackend = run.manifest.backend;
  const backend = await selectBackend(opts.backend ?? storedBackend);
  const across = backend !== storedBackend;
  const tolerance: Tolerance | null = opts.tolerance !== undefined ? { ...CROSS_BACKEND_TOLERANCE, absolute: opts.tolerance } : across ? CROSS_BACKEND_TOLERANCE : null;
  reportProvenance(run, io);
  if (across && worldOf(run.exp).pretrain !== undefined)
    io.err(`note: pretrained bases are read from the cache when present (made on whichever backend made them); set TRAITLAB_CACHE to an empty directory to pretrain them on ${backend} too`);

  const tmp = mkdtempSync(join(tmpdir(), 'traitlab-verify-'));
  // Interrupted, verify takes its temporary run with it (while this thread trains, once it yields).
  const signals = new SignalHandlers((signal) => {
    rmSync(tmp, { recursive: true, force: true });
    endBySignal(io, signal, `traitlab: interrupted (${signal}); verify stopped and removed its temporary re-run`);
  });
  signals.start(false);
  let rerun: unknown;
  let rerunText: string;
  try {
    const slice = run.shard ? ` shard ${shardLabel(run.shard)}` : '';
    io.err(`verifying ${given}: re-running ${run.exp.name}${slice} (${run.exp.seeds} seeds, root seed ${run.exp.rootSeed}) on ${backend}${across ? ` (the run used ${storedBackend})` : ''} in a temporary directory`);
    const dir = join(tmp, 'run');
    const progress = createProgress(io);
    try {
      await executeRun({
        exp: run.exp,
        experimentFile: run.manifest.experimentFile ?? null,
        dir,
        backend,
        jobs: opts.jobs ?? availableParallelism(),
        packageRoot: packageRoot(),
        ...(run.shard ? { shard: run.shard } : {}),
        onProgress: (d, t, label) => progress.update(d, t, label),
        onStage: (label) => progress.stage(label),
      });
    } finally {
      progress.stop();
    }
    rerunText = readFileSync(join(dir, 'summary.json'), 'utf8');
    rerun = JSON.parse(rerunText) as unknown;
  } finally {
    signals.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }

  // Claims are compared when the stored run has them (runs made before claims existed do not)
  // and were evaluated under today's rules: claims without pHolm come from before margins and
  // Holm, and a difference there is the rules', not the run's.
  const stored = (run.summary as { claims?: unknown }).claims;
  const olderRules = Array.isArray(stored) && stored.some((c) => typeof c !== 'object' || c === null || !('pHolm' in c));
  if (olderRules) io.err('note: the stored claims were evaluated before claims had margins and Holm-adjusted p-values; verify compares everything else (traitlab show prints them as stored)');
  const ignore = [...(across ? ['backend'] : []), ...('claims' in run.summary && !olderRules ? [] : ['claims'])];
  const cmp = compareSummaries(run.summary, rerun, { tolerance, ignore });
  const file = join(given, 'summary.json');
  if (cmp.differences.length === 0) {
    const bytes = rerunText === run.summaryText ? ' (summary.json byte for byte)' : '';
    const how = cmp.withinTolerance === 0 ? `identical${bytes}` : `within tolerance ${tolerance!.absolute} (+${100 * tolerance!.intervalRelative} % on ci95 half-widths): ${cmp.identical} identical, ${cmp.withinTolerance} within it`;
    io.out(`reproduced${across ? ` on ${backend}` : ''}: ${cmp.numbers} numbers ${how}`);
    return;
  }
  const n = cmp.differences.length;
  const what = `${n} figure${n === 1 ? '' : 's'}`;
  io.out([`not reproduced: ${what} of ${file} differ${n === 1 ? 's' : ''} from the re-run on ${backend}${tolerance ? ` (tolerance ${tolerance.absolute})` : ''}:`, ...formatDifferences(cmp.differences)].join('\n'));
  throw new NotReproducedError(`not reproduced: ${what} of ${file} differ${n === 1 ? 's' : ''} (listed above)`);
}

export function registerVerify(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description('re-run a finished run from its manifest and check that summary.json reproduces')
    .argument('<run-dir>', 'a run directory (runs/<experiment>-<time>-<hash>)')
    .option('--backend <name>', `re-run on this backend (default: the run's own); ${BACKEND_CHOICES.join(', ')}`)
    .option('--jobs <n>', 'worker threads for independent arms (default: the number of cores); results do not depend on it')
    .option('--tolerance <x>', `allowed absolute difference per number (default: 0 on the run's backend, ${CROSS_BACKEND_TOLERANCE.absolute} on another)`)
    .action((dir: string, raw: unknown) => verify(dir, raw, io));
}
