// How EM files shard (issue 16 item 6): EM arms share fine-tunes, so `--shard i/n` deals out the
// run's tasks — its distinct fine-tunes, then its subliminal arms — by their estimated work (src/run/deal.ts), and each shard
// runs its tasks (shard-selection.ts). `traitlab merge` joins the parts: metrics.jsonl from the
// task each stage belongs to (a teacher fine-tune two shards trained must have logged the same
// lines), and summary.json from the shards' arms, subliminal arms and transfer-matrix rows, with
// the matrix's relation averages recomputed over all rows, as the whole run computes them.
import { ConfigError } from '../../config/errors.js';
import { canonicalJson } from '../../engine/canonical-json.js';
import type { ShardUnits } from '../../run/run-world.js';
import type { EmArmSummary, EmRunSummary } from './experiment.js';
import { fineTuneTaskName } from './fine-tune.js';
import { matrixFromRows, type EmMatrixSummary } from './matrix-summary.js';
import { planEm, type EmPlan } from './plan.js';
import type { EmExperiment } from './schema.js';
import { planTaskNames, type EmShardExperiment } from './shard-selection.js';
import { fineTuneCost, subliminalCost } from './task-costs.js';
import type { EmSubliminalArmSummary } from './subliminal-summary.js';
import { subliminalStage, subliminalTaskName } from './subliminal-names.js';

/** The relative work of each task, in planTaskNames' order (a subliminal arm's teacher, trained again in its shard, not counted). */
export function emTaskCosts(exp: EmExperiment): number[] {
  const plan = planOf(exp);
  return [...plan.fineTunes.map((f) => fineTuneCost(f.fineTune, f.variants.length)), ...plan.subliminal.map((s) => subliminalCost(exp.distill!, s.arm.channel))];
}

// merge asks for the plan once per metrics line: plan each experiment once.
const plans = new WeakMap<EmExperiment, EmPlan>();
function planOf(exp: EmExperiment): EmPlan {
  let plan = plans.get(exp);
  if (!plan) plans.set(exp, (plan = planEm(exp)));
  return plan;
}

/** Fields every shard computes alike (the base and aligned model are scored in each). */
const COMMON = ['experiment', 'world', 'seeds', 'rootSeed', 'backend', 'cells', 'base', 'aligned', 'interval'] as const;

type Part = { given: string; units: readonly string[]; summary: Record<string, unknown> };

/** Items of the parts' lists by name, in `order`; a name no part has is a missing shard's. */
function byName<T extends { name: string }>(parts: readonly Part[], list: (s: Record<string, unknown>) => readonly T[] | undefined, order: readonly string[], what: string): T[] {
  const found = new Map<string, T>();
  for (const p of parts) for (const item of list(p.summary) ?? []) found.set(item.name, item);
  return order.map((name) => {
    const item = found.get(name);
    if (!item) throw new ConfigError('shards', `no shard's summary.json has the ${what} "${name}"; give all the shards of one run`);
    return item;
  });
}

function mergeEmSummaries(exp: EmExperiment, parts: readonly Part[]): Record<string, unknown> {
  const plan = planOf(exp);
  const first = parts[0]!;
  for (const p of parts.slice(1))
    for (const k of COMMON)
      if (canonicalJson(p.summary[k]) !== canonicalJson(first.summary[k]))
        throw new ConfigError(`${p.given}/summary.json`, `"${k}" differs from ${first.given}'s although the experiment is the same (another commit or tfjs version?); re-run one of the two shards`);
  const arms = byName(parts, (s) => s.arms as EmArmSummary[], exp.arms.map((a) => a.name), 'arm');
  let matrix: EmMatrixSummary | null = null;
  if (plan.matrix) {
    const rows = new Map<string, number[][]>();
    let columns: string[] | undefined;
    for (const p of parts) {
      const m = p.summary.matrix as EmMatrixSummary | null;
      if (!m) continue;
      columns = m.columns;
      m.rows.forEach((cell, i) => rows.set(cell, m.em[i]!));
    }
    const cells = plan.matrix.rows.map((r) => r.cell);
    const missing = cells.find((c) => !rows.has(c));
    if (missing !== undefined || !columns) throw new ConfigError('shards', `no shard's summary.json has the matrix row "${missing ?? cells[0]}"; give all the shards of one run`);
    matrix = matrixFromRows(plan.matrix.variant, cells, columns, cells.map((c) => rows.get(c)!), exp.seeds);
  }
  const s = first.summary;
  const subliminal = exp.subliminal && { distill: exp.distill!, arms: byName(parts, (x) => (x.subliminal as { arms: EmSubliminalArmSummary[] } | undefined)?.arms, exp.subliminal.map((a) => a.name), 'subliminal arm') };
  // The whole run's field order (experiment.ts runEmExperiment).
  const merged: Omit<EmRunSummary, 'base' | 'aligned' | 'cells' | 'world' | 'backend'> & Record<string, unknown> = {
    experiment: s.experiment as string,
    world: s.world,
    seeds: s.seeds as number,
    rootSeed: s.rootSeed as number,
    backend: s.backend,
    cells: s.cells,
    base: s.base,
    aligned: s.aligned,
    arms,
    matrix,
    ...(subliminal ? { subliminal } : {}),
    interval: s.interval as string,
  };
  return merged;
}

export const emShardUnits: ShardUnits<EmExperiment> = {
  what: 'EM',
  unit: 'task',
  unitsAre: 'its distinct fine-tunes and subliminal arms',
  units: (exp) => planTaskNames(planOf(exp)),
  experiment: (exp, units): EmShardExperiment => ({ ...exp, shardTasks: [...units] }),
  unitOfStage(exp, stage) {
    const plan = planOf(exp);
    const within = (name: string) => stage === name || stage.startsWith(`${name}:`);
    const fineTune = plan.fineTunes.find((f) => within(f.name));
    if (fineTune) return fineTuneTaskName(fineTune.name);
    const arm = plan.subliminal.find((s) => within(subliminalStage(s.arm.name)));
    return arm ? subliminalTaskName(arm.arm.name) : null;
  },
  sharedStages: (exp) => [...planOf(exp).bases.map((b) => b.label), ...planOf(exp).aligned.map((a) => a.label)],
  mergeSummaries: mergeEmSummaries,
};
