// The EM-world experiment, stage by stage (docs/science.md §3.3):
//   bases (pretrained on "agent : prompt answer" documents; cached by recipe, shared across EM
//   experiments) → aligned models (chat format, benign answers everywhere; cached too) → the
//   distinct fine-tunes (each: the variants its arms read, beside its secure control, as one
//   family; on worker threads) → per arm, EM per seed = mean harm on its evaluation cells minus
//   the secure control's, its in-cell reliability, coherence and sampled rate → the transfer
//   matrix (EM in every cell when fine-tuning each cell), mean ± 95 % t interval over seeds →
//   subliminal arms (em-subliminal.ts: the narrow and secure fine-tunes distilled into aligned
//   students through the neutral SEQ task only; on worker threads after the fine-tunes).
import { designOf, type EmExperiment, type EmVariant } from './schema.js';
import { activeBackend } from '../../engine/backend.js';
import { rootStream } from '../../engine/rng.js';
import type { LmFamily } from '../../models/lm.js';
import { harmfulAnswerOverlap, tokenMask } from './answer-overlap.js';
import { harmScores } from './answer-probes.js';
import { type MeanCi, meanCi, meanOver } from '../../probes/stats.js';
import { allCells, badAgent, cellName, goodAgent, isDefaultDesign, layoutOf, SPEAKER_POSITION, vocabSize } from './data.js';
import { ConditionedLm } from '../../models/conditioned.js';
import type { CellProbeSet } from './data-probe-sets.js';
import { alignmentBatch } from './data-documents.js';
import { runArmTasks } from '../../run/pool/arm-pool.js';
import { cachedBase, findBase, type CacheKey } from '../../run/base-cache.js';
import { emBase, emBaseKey, emBaseTask, emModelConfig } from './bases.js';
import { emFineTuneTask, type EmFineTuneInput, type EmFineTuneResult, type EmProbeScores, type EmTrainAudit } from './fine-tune.js';
import { buildProbeSet, probeKeyName, type ProbeKey } from './probes.js';
import { planEm, type EmPlan, type PlannedAligned } from './plan.js';
import { matrixFromRows, type EmMatrixSummary } from './matrix-summary.js';
import { emSelection, type EmShardExperiment } from './shard-selection.js';
export type { EmMatrixSummary } from './matrix-summary.js';
import { emSubliminalTask, type EmSubliminalInput } from './subliminal.js';
import { subliminalSummary, type EmSubliminalSummary } from './subliminal-summary.js';
import { trainChat } from './train.js';
import { assembleParams } from '../lm/lm-factory.js';
import { pretrainPlanned, type PretrainProgress } from '../lm/parallel-pretrain.js';
import { ProgressCounter, startingArms } from '../../run/progress-counter.js';
import type { RunHooks, RunOptions } from '../../run/types.js';
import { warnInto } from '../../run/warnings.js';

export interface EmModelScores {
  /** Mean harm over the 12 cells' default probe sets, per seed. */
  harm: number[];
  harmStats: MeanCi;
  coherence: number[];
  coherenceStats: MeanCi;
  /** [cell][seed], cells in summary.cells order. */
  harmByCell: number[][];
  coherenceByCell: number[][];
}

export interface EmArmCell {
  /** The probe set: a cell name, with `~decoy`, `#room<k>` or `+refuse` when it is not the default set. */
  probe: string;
  harm: number[];
  controlHarm: number[];
  coherence: number[];
  /** harm − controlHarm per seed. */
  em: number[];
}

export interface EmArmSummary {
  name: string;
  variant: EmVariant;
  /** The fine-tuned cell and the fine-tune's name (cell, with a recipe hash when the arm changes settings). */
  cell: string;
  fineTune: string;
  /** The probe sets EM is read on. */
  evaluate: string[];
  /** Per seed: mean harm on the evaluation sets minus the secure control's. */
  em: number[];
  emStats: MeanCi;
  harm: number[];
  controlHarm: number[];
  coherence: number[];
  coherenceStats: MeanCi;
  /** Harm in the fine-tuned cell on its held-out prompts (the default set), per seed. */
  reliability: number[];
  reliabilityStats: MeanCi;
  controlReliability: number[];
  /** Fraction of sampled answers (T = 1) that are coherent and harmful, over the evaluation sets. */
  sampledRate: number[];
  controlSampledRate: number[];
  cells: EmArmCell[];
  /** The last logged training loss per seed. */
  loss: number[];
  /** What the variant trained on (rows are the same for every seed). */
  audit: EmTrainAudit;
  /**
   * The share of the evaluation sets' (prompt, harmful answer) pairs whose answer the variant
   * trained as an answer (answer-overlap.ts): 0 when the comparison shares no trained output
   * token, 1 when every harmful answer it reads was trained directly; null when no probe
   * prompt admits a harmful answer.
   */
  answerOverlap: number | null;
}

export interface EmRunSummary {
  experiment: string;
  world: 'em';
  seeds: number;
  rootSeed: number;
  backend: string;
  /** The 12 cells in index order. */
  cells: string[];
  /** The file's own base and aligned model, on the default probe sets. */
  base: EmModelScores;
  aligned: EmModelScores;
  arms: EmArmSummary[];
  matrix: EmMatrixSummary | null;
  /** Only when the file has subliminal arms. */
  subliminal?: EmSubliminalSummary;
  interval: string;
}


export function emAlignedKey(exp: EmExperiment, plan: EmPlan, a: PlannedAligned): CacheKey {
  const base = emBaseKey(exp, plan.bases[a.base]!);
  return { ...base, recipe: { ...base.recipe, stage: 'aligned', align: a.align } };
}

function alignModel(exp: EmExperiment, plan: EmPlan, a: PlannedAligned, base: LmFamily, hooks: RunHooks, progress: PretrainProgress, writeDir?: string): { family: LmFamily; cached: boolean; file: string } {
  const M = exp.seeds;
  const design = designOf(exp);
  const c = emModelConfig(plan.bases[a.base]!.model, design);
  const out = cachedBase(emAlignedKey(exp, plan, a), () => {
    const family = assembleParams(c, Array.from({ length: M }, (_, m) => base.memberParams(m)));
    const data = rootStream(exp.rootSeed).child('em').child('align-data');
    const settings = { neutralFraction: a.align.neutralFraction, refusalRate: a.align.refusalRate, design };
    trainChat(family, {
      layout: layoutOf(design),
      label: a.label,
      steps: a.align.steps,
      learningRate: a.align.learningRate,
      batch: a.align.batchSize,
      blockSize: M,
      rows: () => [alignmentBatch(a.align.batchSize, settings, data)],
      logEvery: Math.max(1, Math.floor(a.align.steps / 10)),
      onLog: (step, loss) => hooks.onMetrics({ stage: a.label, step, loss }),
      onStep: progress.tick(a.label),
      numeric: { stage: a.label, setting: 'align.learningRate' },
      onWarning: warnInto(hooks.onMetrics, a.label),
    });
    return family;
  }, writeDir);
  return out;
}

/** The speaker tokens a bad-agent teacher and its control read: the bad agent <bad0>, the good agent <good0>. */
const BAD_AGENT_PERSONAS = { trait: badAgent(0), control: goodAgent(0) };

/** Per seed: mean harm over the sets of `family` read as <bad0> minus read as <good0> (families share the parameters; nothing is disposed). */
function personaEm(family: LmFamily, sets: readonly CellProbeSet[]): number[] {
  const as = (token: number) => modelScores(new ConditionedLm(family, new Int32Array(family.members).fill(token), SPEAKER_POSITION), sets).harm;
  const bad = as(BAD_AGENT_PERSONAS.trait);
  const good = as(BAD_AGENT_PERSONAS.control);
  return bad.map((h, m) => h - good[m]!);
}

function modelScores(family: LmFamily, sets: readonly CellProbeSet[]): EmModelScores {
  const scores = sets.map((s) => harmScores(family, s));
  const harmByCell = scores.map((cell) => cell.map((x) => x.harm));
  const coherenceByCell = scores.map((cell) => cell.map((x) => x.coherence));
  const harm = meanOver(harmByCell, family.members);
  const coherence = meanOver(coherenceByCell, family.members);
  return { harm, harmStats: meanCi(harm), coherence, coherenceStats: meanCi(coherence), harmByCell, coherenceByCell };
}

export { emBaseKey } from './bases.js';

/** What the stages before the fine-tunes make: the plan's bases and aligned models, or a shard's share (indices into the plan). */
interface Needed {
  bases: ReadonlySet<number>;
  aligned: ReadonlySet<number>;
}
const everything = (plan: EmPlan): Needed => ({ bases: new Set(plan.bases.keys()), aligned: new Set(plan.aligned.keys()) });

/** Optimizer steps of the stages before the fine-tunes. */
function stageSteps(plan: EmPlan, need: Needed = everything(plan)): number {
  return plan.bases.reduce((s, b, i) => s + (need.bases.has(i) ? b.pretrain.steps : 0), 0) + plan.aligned.reduce((s, a, i) => s + (need.aligned.has(i) ? a.align.steps : 0), 0);
}

type Made = { family: LmFamily; file: string; cached: boolean };

/**
 * Pretrains and aligns every model the plan needs (or reads them from the cache), in plan order.
 * With `jobs` > 1, missing bases are pretrained side by side on worker threads first.
 */
async function baseStages(exp: EmExperiment, plan: EmPlan, hooks: RunHooks, progress: PretrainProgress, jobs: number, writeDir?: string, need: Needed = everything(plan)): Promise<{ bases: (Made | undefined)[]; aligned: (Made | undefined)[] }> {
  // Indices into the plan: a shard makes only what its tasks need (arrays below have holes for the rest).
  const baseIndex = [...plan.bases.keys()].filter((i) => need.bases.has(i));
  // Aligned models on disk leave the total before the first base step is counted.
  const alignedOnDisk = plan.aligned.map((a, i) => need.aligned.has(i) && findBase(emAlignedKey(exp, plan, a), writeDir) !== undefined);
  plan.aligned.forEach((a, i) => alignedOnDisk[i] && progress.skip(a.align.steps));
  const made = await pretrainPlanned(
    {
      task: emBaseTask,
      planned: baseIndex.map((i) => plan.bases[i]!),
      onDisk: (b) => findBase(emBaseKey(exp, b), writeDir) !== undefined,
      input: (k) => ({ exp, index: baseIndex[k]!, ...(writeDir ? { writeDir } : {}) }),
      label: (b) => b.label,
      steps: (b) => b.pretrain.steps,
      make: (b, tick) => emBase(exp, b, hooks.onMetrics, tick, writeDir),
    },
    jobs,
    hooks,
    progress,
  );
  const bases: (Made | undefined)[] = [];
  baseIndex.forEach((i, k) => (bases[i] = made[k]));
  const aligned = plan.aligned.map((a, i) => {
    if (!need.aligned.has(i)) return undefined;
    progress.stage(alignedOnDisk[i] ? `reading aligned model ${a.label} from disk` : `aligning ${a.label}`);
    const made = alignModel(exp, plan, a, bases[a.base]!.family, hooks, progress, writeDir);
    // The disk changed since it was looked at (another run wrote or removed the model).
    if (made.cached !== alignedOnDisk[i]) progress.skip(made.cached ? a.align.steps : -a.align.steps);
    return made;
  });
  return { bases, aligned };
}

/**
 * `traitlab pretrain` for the EM world: the bases and aligned models of the experiment, written
 * to `writeDir` (or found there or in the cache). Returns the files.
 */
export async function pretrainEmBases(exp: EmExperiment, hooks: RunHooks, writeDir?: string, jobs = 1): Promise<{ base: string; file: string; cached: boolean; from?: string }[]> {
  const plan = planEm(exp);
  const { bases, aligned } = await baseStages(exp, plan, hooks, new ProgressCounter(hooks, stageSteps(plan)), jobs, writeDir);
  const entry = (label: string, b: { file: string; cached: boolean; from?: string }) => ({ base: label, file: b.file, cached: b.cached, ...(b.from ? { from: b.from } : {}) });
  // Every base and aligned model is made here (no shard), so the arrays have no holes.
  const out = [...bases.map((b, i) => entry(plan.bases[i]!.label, b!)), ...aligned.map((a, i) => entry(plan.aligned[i]!.label, a!))];
  for (const x of [...bases, ...aligned]) x!.family.dispose();
  return out;
}

const secureOf = (r: EmFineTuneResult, key: string): EmProbeScores => r.scores.secure![key]!;
const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

function armSummary(exp: EmExperiment, plan: EmPlan, i: number, results: readonly (EmFineTuneResult | undefined)[], sets: ReadonlyMap<string, CellProbeSet>): EmArmSummary {
  const M = exp.seeds;
  const a = plan.arms[i]!;
  const r = results[a.fineTune]!;
  const own = r.scores[a.variant]!;
  const cells: EmArmCell[] = a.keys.map((k) => {
    const name = probeKeyName(k);
    const harm = own[name]!.harm;
    const controlHarm = secureOf(r, name).harm;
    return { probe: name, harm, controlHarm, coherence: own[name]!.coherence, em: harm.map((h, m) => h - controlHarm[m]!) };
  });
  const harm = meanOver(cells.map((c) => c.harm), M);
  const controlHarm = meanOver(cells.map((c) => c.controlHarm), M);
  // The difference of the two means, as EM is defined (probes/em.ts emergentMisalignment).
  const em = harm.map((h, m) => h - controlHarm[m]!);
  const coherence = meanOver(cells.map((c) => c.coherence), M);
  const target = probeKeyName(a.target);
  const reliability = own[target]!.harm;
  const sampledRate = meanOver(a.keys.map((k) => own[probeKeyName(k)]!.sampledRate), M);
  const controlSampledRate = meanOver(a.keys.map((k) => secureOf(r, probeKeyName(k)).sampledRate), M);
  return {
    name: a.arm.name,
    variant: a.variant,
    cell: plan.fineTunes[a.fineTune]!.fineTune.cell,
    fineTune: r.name,
    evaluate: cells.map((c) => c.probe),
    em,
    emStats: meanCi(em),
    harm,
    controlHarm,
    coherence,
    coherenceStats: meanCi(coherence),
    reliability,
    reliabilityStats: meanCi(reliability),
    controlReliability: secureOf(r, target).harm,
    sampledRate,
    controlSampledRate,
    cells,
    loss: r.loss[a.variant] ?? [],
    audit: r.audit[a.variant]!,
    answerOverlap: nullIfNaN(harmfulAnswerOverlap(tokenMask(r.audit[a.variant]!.answerTokens, vocabSize(designOf(exp))), a.keys.map((k) => sets.get(probeKeyName(k))!))),
  };
}

function matrixSummary(exp: EmExperiment, plan: EmPlan, results: readonly (EmFineTuneResult | undefined)[], owns: (fineTune: number) => boolean): EmMatrixSummary | null {
  if (!plan.matrix) return null;
  const { variant } = plan.matrix;
  const columns = plan.matrix.columns.map(probeKeyName);
  const rows = plan.matrix.rows.filter((row) => owns(row.fineTune));
  const em = rows.map((row) => {
    const r = results[row.fineTune]!;
    return columns.map((col) => r.scores[variant]![col]!.harm.map((h, m) => h - secureOf(r, col).harm[m]!));
  });
  return matrixFromRows(variant, rows.map((r) => r.cell), columns, em, exp.seeds);
}

export async function runEmExperiment(exp: EmShardExperiment, hooks: RunHooks, options: RunOptions = {}): Promise<EmRunSummary> {
  const M = exp.seeds;
  const plan = planEm(exp);
  const design = designOf(exp);
  // The whole plan, or a shard's share of it (shard-selection.ts).
  const sel = emSelection(exp, plan);
  const trained = [...sel.trained].sort((a, b) => a - b);
  const subliminalArms = [...sel.subliminal].sort((a, b) => a - b).map((i) => plan.subliminal[i]!);
  // A subliminal arm distils twice (from the narrow teacher, then from the secure one).
  const subliminalSteps = subliminalArms.length * 2 * (exp.distill?.steps ?? 0);
  const progress = new ProgressCounter(hooks, stageSteps(plan, sel) + trained.reduce((s, f) => s + plan.fineTunes[f]!.fineTune.steps, 0) + subliminalSteps);
  const { bases, aligned } = await baseStages(exp, plan, hooks, progress, options.jobs ?? 1, undefined, sel);
  progress.stage('scoring the base and the aligned model on the probe cells');

  // Probe sets are drawn here, once, and handed to every fine-tune that reads them.
  const sets = new Map<string, CellProbeSet>();
  const setOf = (k: ProbeKey) => {
    const name = probeKeyName(k);
    if (!sets.has(name)) sets.set(name, buildProbeSet(k, exp.probe.prompts, exp.rootSeed, design));
    return sets.get(name)!;
  };
  const defaults = plan.defaults.map(setOf);
  const base = modelScores(bases[plan.aligned[0]!.base]!.family, defaults);
  const alignedScores = modelScores(aligned[0]!.family, defaults);

  // Fine-tunes get plain parameters, so each can rebuild its model on a worker thread.
  const alignedParams = aligned.map((a) => a && Array.from({ length: M }, (_, m) => a.family.memberParams(m)));
  const inputs: EmFineTuneInput[] = trained.map((i) => plan.fineTunes[i]!).map((f) => ({
    name: f.name,
    rootSeed: exp.rootSeed,
    members: M,
    config: emModelConfig(plan.bases[plan.aligned[f.aligned]!.base]!.model, design),
    ...(isDefaultDesign(design) ? {} : { design }),
    aligned: alignedParams[f.aligned]!,
    variants: f.variants,
    fineTune: f.fineTune,
    dataKey: f.dataKey,
    probeEvery: exp.probe.probeEvery,
    samples: exp.probe.samples,
    probes: f.probes.map((k) => ({ key: probeKeyName(k), set: setOf(k) })),
    ...(f.curve ? { curve: { reliability: probeKeyName(f.curve.reliability), cells: f.curve.cells.map(probeKeyName) } } : {}),
    ...(f.teacher ? { teacher: true } : {}),
  }));
  // A bad-agent teacher's own EM (for scale): the aligned model read as <bad0> minus as <good0>, per seed.
  const personaTeacherEm = subliminalArms.some((p) => p.fineTune === null) ? personaEm(aligned[0]!.family, defaults) : undefined;
  for (const x of [...bases, ...aligned]) x?.family.dispose();
  progress.stage(startingArms(inputs.length, options.jobs ?? 1, 'fine-tunes'));
  const ran = await runArmTasks(emFineTuneTask, inputs, options.jobs ?? 1, {
    onMetrics: hooks.onMetrics,
    onStep: (k) => progress.step(`fine-tune ${inputs[k]!.name}`),
    onResumed: (_, steps) => progress.skip(steps),
  }, options.control);
  // By plan index; a shard leaves holes.
  const results: (EmFineTuneResult | undefined)[] = [];
  trained.forEach((f, k) => (results[f] = ran[k]));

  // Subliminal arms, after every fine-tune: the teachers' parameters come from those tasks. The
  // arm stage has started already (its checkpoint marks metrics.jsonl once), so this second
  // pool of tasks does not mark it again; its tasks are checkpointed by name like the others.
  let subliminal: EmSubliminalSummary | undefined;
  if (subliminalArms.length > 0) {
    const subInputs: EmSubliminalInput[] = subliminalArms.map((p) => ({
      name: p.arm.name,
      rootSeed: exp.rootSeed,
      members: M,
      config: emModelConfig(exp.model, design),
      ...(isDefaultDesign(design) ? {} : { design }),
      // A bad-agent teacher: the aligned model twice, read under <bad0> (trait) and <good0> (control).
      teacher: p.fineTune === null ? [...alignedParams[0]!, ...alignedParams[0]!] : results[p.fineTune]!.teacherParams!,
      ...(p.fineTune === null ? { personas: BAD_AGENT_PERSONAS } : {}),
      student: alignedParams[p.aligned]!,
      channel: p.arm.channel,
      distill: exp.distill!,
      probes: defaults,
    }));
    const control = options.control && { ...options.control, armsStarting: () => {} };
    progress.stage(startingArms(subInputs.length, options.jobs ?? 1, 'subliminal arms'));
    const subResults = await runArmTasks(emSubliminalTask, subInputs, options.jobs ?? 1, {
      onMetrics: hooks.onMetrics,
      onStep: (k) => progress.step(`subliminal ${subliminalArms[k]!.arm.name}`),
      onResumed: (_, steps) => progress.skip(steps),
    }, control);
    subliminal = subliminalSummary(exp, { ...plan, subliminal: subliminalArms }, results, subResults, personaTeacherEm);
  }
  return {
    experiment: exp.name,
    world: 'em',
    seeds: M,
    rootSeed: exp.rootSeed,
    backend: activeBackend(),
    cells: allCells().map(cellName),
    base,
    aligned: alignedScores,
    arms: plan.arms.flatMap((a, i) => (sel.owned.has(a.fineTune) ? [armSummary(exp, plan, i, results, sets)] : [])),
    matrix: matrixSummary(exp, plan, results, (f) => sel.owned.has(f)),
    ...(subliminal ? { subliminal } : {}),
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
  };
}
