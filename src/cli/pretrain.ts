// `traitlab pretrain <file>`: only the pretrained bases of a numbers-world experiment (and EM's
// aligned models), written where runs look for them: the cache by default, or `--out` (e.g.
// `--out bases` at the package root makes the bases the package ships for the demo). A base
// already there is not redone; one already made elsewhere (the cache, the shipped bases) is
// copied, not retrained. Of a sweep, every point's bases, point after point (a base two points
// share is made once), so the shards of a sweep then read them all from the cache.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { loadRunFile } from '../registry/load-run-file.js';
import { BACKEND_CHOICES, selectBackend } from '../engine/backend.js';
import { cacheDir } from '../run/base-cache.js';
import { assertOutLocation } from '../run/out-location.js';
import { checkRegistryNames, worldNamed, worldNames, worldOf } from '../registry/worlds.js';
import { teacherNameWarnings } from '../../teachers/index.js';
import type { MetricsRecord } from '../run/types.js';
import { warningOf } from '../run/warnings.js';
import type { PretrainedFile } from '../worlds/world.js';
import type { CliIo } from './io.js';
import { jobsOption, parseOptions } from './options.js';
import { endBySignal, SignalHandlers } from './interrupt.js';
import { createProgress } from './progress.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

const pretrainOptions = z
  .object({
    seeds: z.string().regex(/^[0-9]+$/, 'use a whole number, e.g. --seeds 3').transform(Number).optional(),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    out: z.string().min(1).optional(),
    jobs: jobsOption.optional(),
  })
  .strict();

async function pretrain(file: string, raw: unknown, io: CliIo): Promise<void> {
  const opts = parseOptions(pretrainOptions, raw);
  const loaded = loadRunFile(file, { seeds: opts.seeds }, io.cwd, checkRegistryNames);
  const points = loaded.kind === 'experiment' ? [{ label: '', exp: loaded.exp }] : loaded.plan.points.map((p) => ({ label: p.label, exp: p.exp }));
  const exp = points[0]!.exp;
  for (const line of teacherNameWarnings(exp, file)) printWarning(io, line);
  const world = worldOf(exp);
  if (world.pretrain === undefined) {
    const withBases = worldNames().map((name) => worldNamed(name)).filter((w) => w.pretrain !== undefined);
    throw new ConfigError('world', `"${exp.world}" experiments have no pretrained bases; pretrain a ${withBases.map((w) => `${w.label}-world`).join(' or ')} experiment`);
  }
  const outDir = opts.out === undefined ? resolve(cacheDir(), 'bases') : resolve(io.cwd, opts.out);
  if (opts.out !== undefined) assertOutLocation(outDir, `--out ${opts.out}`, 'give --out a folder you can write to, e.g. --out bases');
  else assertOutLocation(outDir, `the base cache ${shownPath(outDir, io.cwd)}`, 'set TRAITLAB_CACHE to a folder you can write to, or give --out');
  const backend = await selectBackend(opts.backend);
  const sweep = loaded.kind === 'sweep' ? ` (a sweep: the bases of its ${points.length} points)` : '';
  io.err(`pretraining the bases of ${exp.name}${sweep}: ${exp.seeds} seeds, root seed ${exp.rootSeed}, backend ${backend} → ${shownPath(outDir, io.cwd)}`);
  const progress = createProgress(io);
  const signals = new SignalHandlers((signal) => {
    progress.stop();
    endBySignal(io, signal, `traitlab: interrupted (${signal}) while pretraining; the bases finished so far are kept in ${shownPath(outDir, io.cwd)}, and the same command makes the rest`);
  });
  signals.start(true);
  const files: PretrainedFile[] = [];
  try {
    // The losses are not kept (bases are files, not runs), but a diverging one is said.
    const onMetrics = (r: MetricsRecord) => {
      const warning = warningOf(r);
      if (warning !== null) printWarning(io, warning);
    };
    const jobs = opts.jobs ?? availableParallelism();
    for (const point of points) {
      const at = point.label ? `${point.label} · ` : '';
      const hooks = {
        onMetrics,
        onProgress: (d: number, t: number, label: string) => {
          signals.step();
          progress.update(d, t, `${at}${label}`);
        },
        onStage: (label: string) => progress.stage(`${at}${label}`),
      };
      // A base an earlier point made is on disk now: listed once, where it was made.
      for (const f of await world.pretrain!(point.exp, hooks, outDir, jobs)) if (!files.some((g) => g.file === f.file)) files.push(f);
    }
  } finally {
    signals.dispose();
    progress.stop();
  }
  for (const f of files) io.out(`${f.base}: ${shownPath(f.file, io.cwd)}${f.from ? ` (copied from ${shownPath(f.from, io.cwd)})` : f.cached ? ' (already there)' : ''}`);
}

export function registerPretrain(program: Command, io: CliIo): void {
  program
    .command('pretrain')
    .description('pretrain only the bases of a numbers-world experiment, or the bases and aligned models of an EM one (runs reuse them)')
    .argument('<file>', 'experiment file (of a sweep: every point\'s bases)')
    .option('--seeds <n>', 'number of seeds, overriding the file')
    .option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--jobs <n>', 'worker threads: bases not yet made are pretrained side by side (default: the number of cores); results do not depend on it')
    .option('--out <dir>', 'directory for the base checkpoints (default: the cache, $TRAITLAB_CACHE or .traitlab-cache/bases)')
    .action((file: string, raw: unknown) => pretrain(file, raw, io));
}
