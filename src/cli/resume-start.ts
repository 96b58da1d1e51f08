// `traitlab run --resume <run-dir>`: the run to continue, from its own directory. Its config,
// seeds, backend and shard are those its manifest.json records; options that would change
// them are refused rather than ignored (--jobs may change: results do not depend on it).
import { basename, dirname } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { selectBackend } from '../engine/backend.js';
import { openInterruptedRun } from '../run/interrupted-run.js';
import { assertOutLocation } from '../run/out-location.js';
import { gitState } from '../run/manifest.js';
import { shardExperiment } from '../run/shard.js';
import { runWorlds } from '../registry/run-worlds.js';
import { worldOf } from '../registry/worlds.js';
import type { CliIo } from './io.js';
import { packageRoot } from './package-root.js';
import type { RunCommandOptions, RunStart } from './run-options.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

export async function resumeStart(file: string | undefined, opts: RunCommandOptions, io: CliIo): Promise<RunStart> {
  const given = opts.resume!;
  if (file !== undefined) throw new ConfigError('--resume', `takes the config from the run directory, so give no experiment file (remove ${file})`);
  for (const name of ['seeds', 'out', 'shard'] as const)
    if (opts[name] !== undefined) throw new ConfigError(`--${name}`, 'cannot be used with --resume: the run continues with the settings it started with (see its manifest.json); remove it');
  const target = openInterruptedRun(given, io.cwd, packageRoot(), runWorlds);
  // The run goes on writing its .partial and is renamed beside it at the end.
  assertOutLocation(dirname(target.partial), `--resume ${given}`, `make that folder writable, or move ${basename(target.partial)} to a folder you can write to and resume it there`);
  if (opts.backend !== 'auto' && opts.backend !== target.backend) throw new ConfigError('--backend', `the run started on ${target.backend}; resume it on ${target.backend} (or leave --backend out)`);
  const backend = await selectBackend(target.backend);
  const then = target.manifest.git;
  const now = gitState(packageRoot());
  if (then && now && then.commit !== now.commit)
    printWarning(io, `the run was started at commit ${then.commit.slice(0, 7)} and this checkout is at ${now.commit.slice(0, 7)}; the rest of it runs this checkout's code`);
  const arms = [...target.loaded.arms.values()];
  const done = arms.filter((a) => 'done' in a).length;
  const { exp } = target;
  // The tasks of the arm stage (e.g. MNIST's student arms: its reference and teacher arms come with the teacher).
  const all = worldOf(exp).taskNames(target.shard ? shardExperiment(exp, target.shard, worldOf(exp)) : exp).length;
  io.err(
    `resuming ${exp.name}: ${done} of ${all} arm${all === 1 ? '' : 's'} finished, ${arms.length - done} stopped mid-way; ${exp.seeds} seed${exp.seeds === 1 ? '' : 's'}, root seed ${exp.rootSeed}, backend ${backend} → ${shownPath(target.partial, io.cwd)}`,
  );
  return { exp, experimentFile: target.manifest.experimentFile, dir: target.final, backend, shard: target.shard ?? undefined, resume: target };
}
