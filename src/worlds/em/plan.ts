// What an EM experiment trains, worked out before anything is: every arm's full recipe (the
// file's model, pretraining, alignment and fine-tune with the arm's overrides), and from them
// the distinct bases, aligned models and fine-tunes — each trained once, however many arms (or
// rows of the transfer matrix) read it. A fine-tune trains every variant its readers ask for
// beside its secure control; each arm reads its variant on its evaluation cells. A subliminal
// arm names a fine-tune as teacher (its narrow and secure parameters are kept) and a student:
// the teacher's aligned model, or (cross-init) one from a base pretrained from other inits.
import { createHash } from 'node:crypto';
import { ConfigError } from '../../config/errors.js';
import { designOf, EM_DEFAULT_BAD_FRACTION, EM_VARIANTS, resolvedPretrain, type EmAlign, type EmArm, type EmExperiment, type EmFineTune, type EmModel, type EmPretrain, type EmSubliminalArm, type EmVariant } from './schema.js';
import { badFractionForIntent } from './data-harm-intent.js';
import { buildProbeSet, cellNamed, defaultProbeKeys, evaluationKeys, probeKey, probeKeyName, type ProbeKey } from './probes.js';
import { drawPromptBody, otherRanks } from './data-prompts.js';
import { cellAt, cellName, type EmDesign } from './data.js';
import { rootStream } from '../../engine/rng.js';
import { canonicalJson } from '../../run/run-dir.js';

/** Pretraining settings with badFraction settled (from harmIntent when that was given). */
export type ResolvedPretrain = Omit<EmPretrain, 'badFraction' | 'harmIntent'> & { badFraction: number; harmIntent?: number };

export interface EmRecipe {
  model: EmModel;
  pretrain: ResolvedPretrain;
  align: EmAlign;
  fineTune: EmFineTune;
}

export const shortHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 8);

/** badFraction as given, derived from harmIntent, or the default. Throws (plain Error) when the intent is out of reach. */
export function settlePretrain(p: EmPretrain): ResolvedPretrain {
  const { badFraction, harmIntent, ...rest } = p;
  if (harmIntent !== undefined) return { ...rest, harmIntent, badFraction: badFractionForIntent(harmIntent, rest) };
  return { ...rest, badFraction: badFraction ?? EM_DEFAULT_BAD_FRACTION };
}

/** The file's own recipe (the top-level settings). */
export function defaultRecipe(exp: EmExperiment): EmRecipe {
  return { model: exp.model, pretrain: settlePretrain(exp.pretrain), align: exp.align, fineTune: exp.fineTune };
}

export function armRecipe(exp: EmExperiment, arm: EmArm): EmRecipe {
  return {
    model: arm.model ?? exp.model,
    pretrain: settlePretrain(resolvedPretrain(exp, arm)),
    align: { ...exp.align, ...arm.align },
    fineTune: { ...exp.fineTune, ...arm.fineTune },
  };
}

export interface PlannedBase {
  /** Metrics stage: `pretrain` for the file's own base, `pretrain@<hash>` for another. */
  label: string;
  model: EmModel;
  pretrain: ResolvedPretrain;
  /**
   * Seed m's init stream is `init/<m + initOffset>`: 0 for the file's bases, M for the bases of
   * cross-init students (same documents, other inits, as the numbers world's other-seed base).
   */
  initOffset: number;
}

export interface PlannedAligned {
  label: string;
  base: number;
  align: EmAlign;
}

export interface PlannedFineTune {
  /** `next/chem` for the file's own recipe in that cell, `next/chem@<hash>` for another. */
  name: string;
  aligned: number;
  fineTune: EmFineTune;
  /** Names the data stream: the settings that decide the rows. */
  dataKey: string;
  variants: EmVariant[];
  /** Every probe set it is read on (the 12 default sets first). */
  probes: ProbeKey[];
  /** A subliminal arm's teacher: the run keeps its narrow and secure parameters. */
  teacher: boolean;
  /**
   * A rank-disjoint split's curves (the EM and reliability logged while it trains): reliability
   * on the trained ranks, EM on the other ranks of the other 11 cells (12 keys in cell order).
   * Absent: the default sets.
   */
  curve?: { reliability: ProbeKey; cells: ProbeKey[] };
}

export interface PlannedSubliminal {
  arm: EmSubliminalArm;
  /**
   * The teacher's fine-tune (narrow variant; its secure variant is the control teacher), or null
   * for a bad-agent teacher: the file's own aligned model (aligned[0]) under the two personas.
   */
  fineTune: number | null;
  /** The student: an aligned model (the teacher's own for same-init). */
  aligned: number;
}

export interface PlannedArm {
  arm: EmArm;
  fineTune: number;
  variant: EmVariant;
  /** Its evaluation sets. */
  keys: ProbeKey[];
  /** The default set of its fine-tuned cell (reliability). */
  target: ProbeKey;
}

export interface EmPlan {
  /** The file's own base is bases[0], its own aligned model aligned[0]. */
  bases: PlannedBase[];
  aligned: PlannedAligned[];
  fineTunes: PlannedFineTune[];
  arms: PlannedArm[];
  subliminal: PlannedSubliminal[];
  /**
   * Row i: the fine-tune of cell matrix.cells[i]; every row is read on `columns`, one probe set
   * per cell (the default sets, or the other ranks of a rank-disjoint split).
   */
  matrix: { variant: EmVariant; rows: { cell: string; fineTune: number }[]; columns: ProbeKey[] } | null;
  /** The default probe sets (refusal as probe.refusal), in cell order. */
  defaults: ProbeKey[];
}

/** The settings that decide a fine-tune's rows (not its length or learning rate: runs of other lengths share their first rows). */
export const fineTuneDataKey = (f: EmFineTune): string =>
  `${f.cell}/${shortHash({ batchSize: f.batchSize, consistency: f.consistency, replayFraction: f.replayFraction, refusalRate: f.refusalRate, randomSeed: f.randomSeed, ...(f.answerRanks ? { answerRanks: f.answerRanks } : {}) })}`;

/** One key per cell (the default sets' cells and refusal), reading only the ranks a split left out: the split's matrix columns and EM curve. */
const otherRankKeys = (defaults: readonly ProbeKey[], ranks: readonly number[]): ProbeKey[] => defaults.map((k) => probeKey(k.cell, { refusal: k.refusal, ranks: otherRanks(ranks) }));

/**
 * The probe keys of a fine-tune's readers: its arms' evaluation sets read the ranks its
 * rank-disjoint split left out (every rank without a split), reliability the trained ranks.
 */
function splitKeys(f: EmFineTune, evaluate: readonly string[], opts: { room: number | null; refusal: boolean }): { keys: ProbeKey[]; target: ProbeKey | null } {
  const target = cellNamed(f.cell);
  const ranks = f.answerRanks ?? null;
  return {
    keys: evaluationKeys(evaluate, target, { ...opts, ranks: ranks && otherRanks(ranks) }),
    target: ranks && probeKey(target, { refusal: opts.refusal, ranks }),
  };
}

export function planEm(exp: EmExperiment): EmPlan {
  const own = defaultRecipe(exp);
  const bases: PlannedBase[] = [];
  const aligned: PlannedAligned[] = [];
  const fineTunes: PlannedFineTune[] = [];
  const index = new Map<string, number>();
  const defaults = defaultProbeKeys(exp.probe.refusal);
  const intern = <T>(kind: string, key: unknown, list: T[], make: () => T): number => {
    const k = `${kind}:${canonicalJson(key)}`;
    let i = index.get(k);
    if (i === undefined) {
      i = list.push(make()) - 1;
      index.set(k, i);
    }
    return i;
  };
  const alignedOf = (r: EmRecipe, initOffset = 0): number => {
    // The offset joins the identity only when set, so the file's own bases keep their labels.
    const baseId = { model: r.model, pretrain: r.pretrain, ...(initOffset ? { initOffset } : {}) };
    const ownBase = canonicalJson(baseId) === canonicalJson({ model: own.model, pretrain: own.pretrain });
    // Subliminal arms change only the fine-tune, so a cross-init base is the file's own recipe from other inits.
    const tag = initOffset ? '-cross-init' : '';
    const b = intern('base', baseId, bases, () => ({ label: ownBase ? 'pretrain' : `pretrain${tag}@${shortHash(baseId)}`, model: r.model, pretrain: r.pretrain, initOffset }));
    const alignedId = { ...baseId, align: r.align };
    const ownAligned = canonicalJson(alignedId) === canonicalJson({ model: own.model, pretrain: own.pretrain, align: own.align });
    return intern('aligned', alignedId, aligned, () => ({ label: ownAligned ? 'align' : `align${tag}@${shortHash(alignedId)}`, base: b, align: r.align }));
  };
  // The file's own base and aligned model come first (the summary reports them), even when every arm overrides them.
  alignedOf(own);
  const fineTuneOf = (r: EmRecipe): number => {
    const a = alignedOf(r);
    const id = { model: r.model, pretrain: r.pretrain, align: r.align, fineTune: r.fineTune };
    const ownRecipe = canonicalJson({ ...id, fineTune: { ...id.fineTune, cell: null } }) === canonicalJson({ ...own, fineTune: { ...own.fineTune, cell: null } });
    const ranks = r.fineTune.answerRanks;
    const curve = ranks && { reliability: probeKey(cellNamed(r.fineTune.cell), { refusal: exp.probe.refusal, ranks }), cells: otherRankKeys(defaults, ranks) };
    return intern('fine-tune', id, fineTunes, () => ({
      name: ownRecipe ? r.fineTune.cell : `${r.fineTune.cell}@${shortHash(id)}`,
      aligned: a,
      fineTune: r.fineTune,
      dataKey: fineTuneDataKey(r.fineTune),
      variants: ['secure'],
      probes: curve ? [...defaults, ...curve.cells, curve.reliability] : [...defaults],
      teacher: false,
      ...(curve ? { curve } : {}),
    }));
  };
  const use = (f: number, variant: EmVariant, keys: ProbeKey[]) => {
    const ft = fineTunes[f]!;
    if (!ft.variants.includes(variant)) ft.variants = EM_VARIANTS.filter((v) => v === variant || ft.variants.includes(v));
    const names = new Set(ft.probes.map(probeKeyName));
    for (const k of keys) if (!names.has(probeKeyName(k))) ft.probes.push(k);
  };
  const arms = exp.arms.map((arm): PlannedArm => {
    const recipe = armRecipe(exp, arm);
    const f = fineTuneOf(recipe);
    const { keys, target } = splitKeys(recipe.fineTune, arm.evaluate, { room: arm.room ?? null, refusal: arm.refusal ?? exp.probe.refusal });
    use(f, arm.variant, target ? [...keys, target] : keys);
    return { arm, fineTune: f, variant: arm.variant, keys, target: target ?? defaults[cellNamed(recipe.fineTune.cell)]! };
  });
  let matrix: EmPlan['matrix'] = null;
  if (exp.matrix) {
    const { variant, cells } = exp.matrix;
    const ranks = own.fineTune.answerRanks;
    const columns = ranks ? otherRankKeys(defaults, ranks) : defaults;
    matrix = {
      variant,
      rows: cells.map((cell) => {
        const f = fineTuneOf({ ...own, fineTune: { ...own.fineTune, cell } });
        use(f, variant, columns);
        return { cell, fineTune: f };
      }),
      columns,
    };
  }
  const subliminal = (exp.subliminal ?? []).map((arm): PlannedSubliminal => {
    const recipe: EmRecipe = { ...own, fineTune: { ...own.fineTune, ...arm.fineTune } };
    if (arm.teacher === 'bad-agent') return { arm, fineTune: null, aligned: arm.student === 'same-init' ? 0 : alignedOf(recipe, exp.seeds) };
    const f = fineTuneOf(recipe);
    use(f, 'narrow', []);
    fineTunes[f]!.teacher = true;
    const student = arm.student === 'same-init' ? fineTunes[f]!.aligned : alignedOf(recipe, exp.seeds);
    return { arm, fineTune: f, aligned: student };
  });
  return { bases, aligned, fineTunes, arms, matrix, subliminal, defaults };
}

/**
 * Checks an EM experiment before any work: harm intents within reach, and every probe set an
 * arm reads holding at least one prompt. Throws ConfigError naming the field.
 */
export function checkEmExperiment(exp: EmExperiment): void {
  // Per-seed data would need per-seed pretraining documents, alignment and fine-tune rows (and new cache keys for the bases).
  if (exp.seedsVary !== 'init') throw new ConfigError('seedsVary', `"${exp.seedsVary}" is not supported for the em world yet; use "init"`);
  const pretrains: [string, EmPretrain][] = [['pretrain', exp.pretrain], ...exp.arms.map((a, i): [string, EmPretrain] => [a.pretrain ? `arms[${i}].pretrain` : 'pretrain', resolvedPretrain(exp, a)])];
  for (const [path, p] of pretrains) {
    try {
      settlePretrain(p);
    } catch (e) {
      throw new ConfigError(`${path}.harmIntent`, `${(e as Error).message}; choose a harm intent in that range, or change correlation, epsilon or educationalRate`);
    }
  }
  const splitPath = (arm?: EmArm, i?: number) => (arm?.fineTune?.answerRanks ? `arms[${i}].fineTune.answerRanks` : 'fineTune.answerRanks');
  const fineTunes: [string, EmFineTune][] = [
    ...exp.arms.map((arm, i): [string, EmFineTune] => [splitPath(arm, i), armRecipe(exp, arm).fineTune]),
    ...(exp.matrix?.cells ?? []).map((cell): [string, EmFineTune] => [splitPath(), { ...exp.fineTune, cell }]),
    ...(exp.subliminal ?? []).map((arm): [string, EmFineTune] => [splitPath(), { ...exp.fineTune, ...arm.fineTune }]),
  ];
  for (const [path, f] of fineTunes) if (f.answerRanks) checkSplitCell(path, f.cell, f.answerRanks, designOf(exp));
  exp.arms.forEach((arm, i) => {
    const recipe = armRecipe(exp, arm);
    if (arm.room === undefined && !recipe.fineTune.answerRanks) return;
    const { keys, target } = splitKeys(recipe.fineTune, arm.evaluate, { room: arm.room ?? null, refusal: arm.refusal ?? exp.probe.refusal });
    for (const key of target ? [...keys, target] : keys) {
      try {
        buildProbeSet(key, 1, exp.rootSeed, designOf(exp));
      } catch {
        const ranks = key.ranks ? ` in ranks ${key.ranks.join(', ')}` : '';
        if (key.room === null) throw new ConfigError(splitPath(arm, i), `no held-out prompt of ${cellName(cellAt(key.cell))} has all its answers${ranks}; train other ranks, or leave that cell out of evaluate`);
        throw new ConfigError(`arms[${i}].room`, `no held-out prompt of ${probeKeyName(probeKey(key.cell))} has exactly ${arm.room} harmful answers${ranks}${key.refusal ? ' with REFUSE listed' : ''}; use another room or leave that cell out of evaluate`);
      }
    }
  });
}

/** A rank-disjoint split must leave the narrow cell training prompts with a harmful answer in its ranks. */
function checkSplitCell(path: string, cell: string, ranks: readonly number[], design: EmDesign): void {
  try {
    drawPromptBody(cellAt(cellNamed(cell)), rootStream(0).child('split-check'), { split: 'train', minHarmful: 1, answerRanks: ranks, design });
  } catch {
    throw new ConfigError(path, `no training prompt of ${cell} has a harmful answer in ranks ${ranks.join(', ')}; add a rank with harmful tokens in that domain`);
  }
}

