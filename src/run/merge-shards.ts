// Joins the run directories of `--shard 1/n … n/n` into what one unsharded run would have
// written: summary.json with the arms in file order, metrics.jsonl in the unsharded order, and
// a manifest that says where the parts came from. An unsharded run logs the shared stages
// first (bases, teacher: the world's sharedStages, in that order; every shard that needed them logged the
// same lines) and then each arm's lines, arm by arm in file order (the arm pool releases them
// in that order whatever --jobs is), so the merge rebuilds exactly that. A base read from the
// cache logs nothing, so metrics.jsonl equals an unsharded run's when the same bases were
// trained (in some shard) as in that run. Claims and the report are left to the caller:
// they are computed from the merged files the same way a run computes them.
import { ConfigError } from '../config/errors.js';
import type { ExperimentBase as Experiment } from '../config/experiment-base.js';
import type { Manifest, MergedFrom } from './manifest.js';
import { canonicalJson, experimentHash } from './run-dir.js';
import { shardLabel } from './shard.js';
import type { StoredRun } from './stored-run.js';

export interface MergedRun {
  exp: Experiment;
  manifest: Manifest;
  /** summary.json's content without claims (the caller adds them, as a run does). */
  summary: Record<string, unknown>;
  metricsText: string;
  /** Things that do not stop the merge but may explain a difference (a shard without git information, other versions). */
  warnings: string[];
}

type Sharded = StoredRun & { shard: NonNullable<StoredRun['shard']> };

/** The first top-level field in which two objects differ, for messages. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].find((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
}

/** Every directory is a shard of the same experiment, split the same way, on the same backend; each shard once. */
function checkShards(runs: readonly StoredRun[]): Sharded[] {
  for (const r of runs) if (!r.shard) throw new ConfigError(r.given, 'is not a shard (its manifest has no "shard"); merge joins the run directories of traitlab run --shard i/n');
  const shards = runs as Sharded[];
  const first = shards[0]!;
  for (const r of shards.slice(1)) {
    const field = firstDifference(first.manifest.config as unknown as Record<string, unknown>, r.manifest.config as unknown as Record<string, unknown>);
    if (field !== undefined)
      throw new ConfigError(r.given, `is a different experiment from ${first.given} (config hash ${experimentHash(r.manifest.config)} vs ${experimentHash(first.manifest.config)}, differing in "${field}"); merge the shards of one experiment only`);
    if (r.manifest.backend !== first.manifest.backend)
      throw new ConfigError(r.given, `ran on ${r.manifest.backend} but ${first.given} on ${first.manifest.backend}; merge shards run on one backend (numbers differ across backends)`);
    if (r.shard.count !== first.shard.count)
      throw new ConfigError(r.given, `is shard ${shardLabel(r.shard)} but ${first.given} is shard ${shardLabel(first.shard)}; merge the shards of one --shard i/n split`);
  }
  const byIndex = new Map<number, Sharded>();
  for (const r of shards) {
    const seen = byIndex.get(r.shard.index);
    if (seen) throw new ConfigError(r.given, `is shard ${shardLabel(r.shard)}, given twice (also ${seen.given}); give each shard once`);
    byIndex.set(r.shard.index, r);
  }
  const n = first.shard.count;
  // A sweep point's slices are picks from the sweep's one list: the shards holding some of its arms, which together hold each arm once.
  if (shards.every((r) => r.shard.sweep === true)) return checkPicks(shards);
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const which = missing.map((i) => `${i}/${n}`).join(', ');
    throw new ConfigError('shards', `${missing.length === 1 ? 'shard' : 'shards'} ${which} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${shards.map((r) => `${shardLabel(r.shard)} in ${r.given}`).join(', ')}); give all ${n} shards`);
  }
  return Array.from({ length: n }, (_, i) => byIndex.get(i + 1)!);
}

/** A sweep point's slices, in shard order: each of the point's arms in exactly one. */
function checkPicks(shards: Sharded[]): Sharded[] {
  const ordered = [...shards].sort((a, b) => a.shard.index - b.shard.index);
  const owner = new Map<string, Sharded>();
  for (const r of ordered)
    for (const arm of r.shard.arms) {
      const seen = owner.get(arm);
      if (seen) throw new ConfigError(r.given, `runs arm "${arm}", which ${seen.given} runs too; give each shard once`);
      owner.set(arm, r);
    }
  const missing = ordered[0]!.shard.of.filter((arm) => !owner.has(arm));
  if (missing.length > 0) throw new ConfigError('shards', `arm${missing.length === 1 ? '' : 's'} ${missing.map((a) => `"${a}"`).join(', ')} of ${ordered[0]!.given} ${missing.length === 1 ? 'is' : 'are'} in no shard given; give all ${ordered[0]!.shard.count} shards`);
  return ordered;
}

/** The summary's arms in file order; every other field must agree between shards (it is computed in each). */
function mergeSummaries(exp: Experiment, shards: readonly Sharded[]): Record<string, unknown> {
  // Warnings differ between shards (each warns for its own arms): the caller takes the merged ones from the merged metrics.
  const strip = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'arms' && k !== 'claims' && k !== 'warnings'));
  const first = shards[0]!;
  const arms = new Map<string, unknown>();
  for (const r of shards) {
    const field = firstDifference(strip(first.summary), strip(r.summary));
    if (field !== undefined)
      throw new ConfigError(`${r.given}/summary.json`, `"${field}" differs from ${first.given}'s although the experiment is the same (another commit or tfjs version?); re-run one of the two shards`);
    const names = (r.summary.arms as { name?: unknown }[]).map((a) => a?.name);
    if (canonicalJson(names) !== canonicalJson(r.shard.arms))
      throw new ConfigError(`${r.given}/summary.json`, `has arms ${JSON.stringify(names)} but its manifest's shard has ${JSON.stringify(r.shard.arms)}; restore the run directory or re-run the shard`);
    (r.summary.arms as { name: string }[]).forEach((a) => arms.set(a.name, a));
  }
  const merged: Record<string, unknown> = {};
  // Field order as the shards wrote it (and as an unsharded run writes it), claims aside.
  for (const [k, v] of Object.entries(first.summary)) if (k !== 'claims' && k !== 'warnings') merged[k] = k === 'arms' ? exp.arms.map((a) => arms.get(a.name)) : v;
  return merged;
}

/**
 * A shard's metrics.jsonl split into runs of consecutive lines of one shared stage, and each
 * arm's (or unit's: `unitOf` maps a stage to its arm or unit, null for a shared stage) lines. A
 * unit world's shard may log a unit it was not dealt (a teacher its own unit needs): `foreign`.
 */
function splitMetrics(r: Sharded, unitOf: (stage: string) => string | null, foreign: boolean): { shared: [string, string[]][]; arms: Map<string, string[]> } {
  const shared: [string, string[]][] = [];
  const occurrences = new Map<string, number>();
  const arms = new Map<string, string[]>();
  const lines = r.metricsText!.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let last: string | undefined;
  lines.forEach((line, i) => {
    let stage: unknown;
    try {
      stage = (JSON.parse(line) as { stage?: unknown }).stage;
    } catch {
      throw new ConfigError(`${r.given}/metrics.jsonl`, `line ${i + 1} is not JSON; restore the file from the run or re-run the shard`);
    }
    if (typeof stage !== 'string') throw new ConfigError(`${r.given}/metrics.jsonl`, `line ${i + 1} has no "stage"; restore the file from the run or re-run the shard`);
    const unit = unitOf(stage);
    if (unit !== null) {
      if (!foreign && !r.shard.arms.includes(unit)) throw new ConfigError(`${r.given}/metrics.jsonl`, `line ${i + 1} is from arm "${unit}", which shard ${shardLabel(r.shard)} does not run; restore the file or re-run the shard`);
      arms.set(unit, [...(arms.get(unit) ?? []), line]);
      last = undefined;
      return;
    }
    if (stage !== last) {
      const k = (occurrences.get(stage) ?? 0) + 1;
      occurrences.set(stage, k);
      shared.push([`${stage}#${k}`, []]);
      last = stage;
    }
    shared[shared.length - 1]![1].push(line);
  });
  return { shared, arms };
}

function mergeMetrics(exp: Experiment, shards: readonly Sharded[]): string {
  const { world } = shards[0]!;
  const units = world.shardUnits;
  const logging = units ? units.units(exp) : world.loggingArms(exp);
  const armStages = new Set(logging);
  const unitOf = units ? (stage: string) => units.unitOfStage(exp, stage) : (stage: string) => (armStages.has(stage) ? stage : null);
  const sharedStages = units ? units.sharedStages(exp) : world.sharedStages;
  const blocks = new Map<string, { lines: string[]; from: string }>();
  const armLines = new Map<string, string[]>();
  const armFrom = new Map<string, string>();
  for (const r of shards) {
    const { shared, arms } = splitMetrics(r, unitOf, units !== undefined);
    for (const [key, lines] of shared) {
      const seen = blocks.get(key);
      if (!seen) blocks.set(key, { lines, from: r.given });
      else if (seen.lines.join('\n') !== lines.join('\n'))
        throw new ConfigError(`${r.given}/metrics.jsonl`, `the shared stage "${key.replace(/#\d+$/, '')}" differs from ${seen.from}'s although the experiment is the same (another commit or tfjs version?); re-run one of the two shards`);
    }
    for (const [name, lines] of arms) {
      const seen = armLines.get(name);
      // Two shards ran the same unit (one for its own sake, one for a unit that needs it): the same work, the same lines.
      if (seen && seen.join('\n') !== lines.join('\n'))
        throw new ConfigError(`${r.given}/metrics.jsonl`, `the ${units?.unit ?? 'arm'} "${name}" differs from ${armFrom.get(name)}'s although the experiment is the same (another commit or tfjs version?); re-run one of the two shards`);
      armLines.set(name, lines);
      armFrom.set(name, r.given);
    }
  }
  // Shared stages in the order a run logs them: a shard may have read one base from the cache
  // and trained another, so no single shard's order need hold them all.
  const rank = (key: string) => {
    const [stage, k] = key.split('#') as [string, string];
    return [sharedStages.indexOf(stage), Number(k)] as const;
  };
  for (const key of blocks.keys())
    if (rank(key)[0] < 0) throw new ConfigError(`${blocks.get(key)!.from}/metrics.jsonl`, `has lines of stage "${key.replace(/#\d+$/, '')}", which is neither an arm nor a stage merge knows (${sharedStages.join(', ')}); merge shards made by this version of traitlab`);
  const order = [...blocks.keys()].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
  const out = [...order.flatMap((k) => blocks.get(k)!.lines), ...logging.flatMap((name) => armLines.get(name) ?? [])];
  return out.length ? `${out.join('\n')}\n` : '';
}

function mergeManifests(shards: readonly Sharded[], now: Date): { manifest: Manifest; warnings: string[] } {
  const first = shards[0]!.manifest;
  const warnings: string[] = [];
  for (const r of shards.slice(1)) {
    const m = r.manifest;
    const [ours, theirs] = [first.git?.commit, m.git?.commit];
    // Two commits may compute different numbers: refused. A shard without git information cannot be checked: said.
    if (ours !== undefined && theirs !== undefined && ours !== theirs)
      throw new ConfigError(r.given, `was run at traitlab ${theirs.slice(0, 7)} but ${shards[0]!.given} at ${ours.slice(0, 7)}; merge shards of one commit (re-run this one at ${ours.slice(0, 7)})`);
    if (ours !== theirs) warnings.push(`${r.given} was run at traitlab ${theirs?.slice(0, 7) ?? '(no git)'}, ${shards[0]!.given} at ${ours?.slice(0, 7) ?? '(no git)'}`);
    const field = firstDifference({ ...first.versions, node: null }, { ...m.versions, node: null });
    if (field !== undefined) warnings.push(`${r.given} used ${field} ${m.versions[field] ?? '(none)'}, ${shards[0]!.given} ${first.versions[field] ?? '(none)'}`);
  }
  const merged: MergedFrom = {
    at: now.toISOString(),
    shards: shards.map((r) => ({
      dir: r.dir,
      index: r.shard.index,
      arms: r.shard.arms,
      git: r.manifest.git ?? null,
      host: r.manifest.host,
      startedAt: r.manifest.startedAt,
      finishedAt: r.manifest.finishedAt ?? null,
      wallSeconds: r.manifest.wallSeconds ?? null,
    })),
  };
  // The whole run spans the shards' times; its wall time is theirs (in merged.shards), not one number.
  const { shard: _shard, wallSeconds: _wall, finishedAt: _end, ...rest } = first;
  const ends = shards.map((r) => r.manifest.finishedAt).filter((t): t is string => typeof t === 'string');
  const manifest: Manifest = {
    ...rest,
    startedAt: shards.map((r) => r.manifest.startedAt).sort()[0]!,
    ...(ends.length ? { finishedAt: ends.sort()[ends.length - 1]! } : {}),
    merged,
  };
  return { manifest, warnings };
}

export function mergeShards(runs: readonly StoredRun[], now: Date): MergedRun {
  if (runs.length === 0) throw new ConfigError('shards', 'none given; give the run directories of every --shard i/n run');
  const shards = checkShards(runs);
  const { exp, world } = shards[0]!;
  const summary = world.shardUnits
    ? world.shardUnits.mergeSummaries(exp, shards.map((r) => ({ given: r.given, units: r.shard.arms, summary: r.summary })))
    : mergeSummaries(exp, shards);
  const metricsText = mergeMetrics(exp, shards);
  return { exp, summary, metricsText, ...mergeManifests(shards, now) };
}
