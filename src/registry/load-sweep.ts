// An experiment file with a `sweep` block, validated before anything runs: the block itself,
// each swept path against the file and its world's schema, and then every point it expands to
// with the world's own schema and checks, as if each were a file. The first problem is one
// ConfigError naming the sweep entry and, for a rejected value, the field underneath:
//   sweep[0].values[2]: distill.epochs must be ≥ 1 (got 0)
import { ConfigError, formatPath } from '../config/errors.js';
import { closestKey, issueToConfigError } from '../config/issue-message.js';
import { allowedKeys, schemaAt, toInputJsonSchema } from '../config/json-schema.js';
import { checkSweepEntries, expandSweep, formatSweepPath, MAX_SWEPT_SETTINGS, parseSweepPath, sweepSchema, valueAtPath, type SweepEntry, type SweepPoint } from '../config/sweep.js';
import { experimentJsonSchema } from './experiment-json-schema.js';
import { parseExperiment, type ExperimentCheck, type ExperimentOverrides } from './load-experiment.js';
import { worldNamed, type Experiment } from './worlds.js';

/** A sweep file, expanded and validated: every point's experiment is ready to run. */
export interface SweepPlan {
  /** The file as validated (sweep block included, --seeds applied): what the sweep's manifest records. */
  config: Record<string, unknown>;
  entries: SweepEntry[];
  points: (SweepPoint & { exp: Experiment })[];
}

const sweepJsonSchema = toInputJsonSchema(sweepSchema);

/** Keys that are not settings a sweep may name (the editor's $schema, the sweep itself). */
const NOT_SETTINGS = new Set(['$schema', 'sweep']);

/** Throws unless `path` names a setting of this world's files that this file can take. */
function checkPathExists(input: Record<string, unknown>, entry: SweepEntry, k: number, worldLabel: string, root: ReturnType<typeof experimentJsonSchema>): void {
  const segs = parseSweepPath(entry.path)!;
  const notSetting = (fix: string) => new ConfigError(`sweep[${k}].path`, `"${entry.path}" is not a setting of a ${worldLabel}-world experiment; ${fix}`);
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const parent = segs.slice(0, i);
    if (typeof seg === 'number') {
      const items = valueAtPath(input, parent);
      if (!Array.isArray(items) || seg >= items.length) {
        const n = Array.isArray(items) ? items.length : 0;
        const list = formatSweepPath(parent);
        throw notSetting(`the file's ${list} list has ${n} item${n === 1 ? '' : 's'}${n > 0 ? ` (${list}[0] to ${list}[${n - 1}])` : ''}`);
      }
      continue;
    }
    if (schemaAt(root, [...parent, seg], input) !== undefined) continue;
    const keys = allowedKeys(schemaAt(root, parent, input)).filter((key) => !NOT_SETTINGS.has(key));
    const near = closestKey(seg, keys);
    const under = parent.length === 0 ? 'the top-level settings are' : `the settings under ${formatSweepPath(parent)} are`;
    const list = `${under} ${keys.join(', ') || 'none'}`;
    throw notSetting(near ? `did you mean "${formatSweepPath([...parent, near, ...segs.slice(i + 1)])}"? (${list})` : list);
  }
}

/** Which sweep entry a point's error is about: the entry whose path holds the field, else the point's every value. */
function pointError(e: ConfigError, point: SweepPoint, entries: readonly SweepEntry[]): ConfigError {
  const k = entries.findIndex((en) => e.path === en.path || e.path.startsWith(`${en.path}.`) || e.path.startsWith(`${en.path}[`));
  const at = k >= 0 ? `sweep[${k}].values[${point.at[k]}]` : point.at.map((j, i) => `sweep[${i}].values[${j}]`).join(' with ');
  return new ConfigError(at, `${e.path} ${e.problem}`);
}

/** Parses a file's JSON that has a `sweep` key into its validated points. */
export function parseSweep(input: Record<string, unknown>, overrides: ExperimentOverrides = {}, check: ExperimentCheck = () => {}): SweepPlan {
  const raw = input.sweep;
  if (Array.isArray(raw) && raw.length > MAX_SWEPT_SETTINGS)
    throw new ConfigError('sweep', `sweeps ${raw.length} settings; a sweep varies one or two (the cartesian product when two): split it into several files`);
  const parsed = sweepSchema.safeParse(raw);
  if (!parsed.success) throw issueToConfigError(parsed.error.issues[0]!, sweepJsonSchema, raw, (p) => formatPath(['sweep', ...p]));
  const entries = parsed.data;
  checkSweepEntries(entries);
  const world = worldNamed(input.world);
  const base = overrides.seeds === undefined ? input : { ...input, seeds: overrides.seeds };
  const root = experimentJsonSchema(world);
  entries.forEach((e, k) => checkPathExists(base, e, k, world.label, root));
  const points = expandSweep(base, entries).map((point) => {
    try {
      // --seeds is already in the point's file; parseExperiment checks its range again.
      return { ...point, exp: parseExperiment(point.input, {}, check) };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw pointError(e, point, entries);
    }
  });
  return { config: base, entries, points };
}
