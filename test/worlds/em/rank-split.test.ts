// The rank-disjoint split (fineTune.answerRanks, issue 16 item 1), checked from the world itself:
// the fine-tune rows a run draws and the probe sets its plan reads, no training. In
// experiments/em-structure-ranks.json no probed answer (harmful or not) of any comparison is a
// token the fine-tune trained as an answer, while reliability reads the trained ranks.
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import type { EmRunSummary } from '../../../src/worlds/em/experiment.js';
import { tempDir } from '../../support/cli.js';
import { rootStream } from '../../../src/engine/rng.js';
import { loadExperimentFile, parseExperiment } from '../../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { harmfulAnswerOverlap, trainedAnswerTokens } from '../../../src/worlds/em/answer-overlap.js';
import { cellAt, isContentToken, PROMPT_LENGTH, RANKS, rankOf, VOCAB_SIZE } from '../../../src/worlds/em/data.js';
import { fineTuneRows } from '../../../src/worlds/em/data-documents.js';
import { answersWithinRanks, otherRanks } from '../../../src/worlds/em/data-prompts.js';
import type { CellProbeSet } from '../../../src/worlds/em/data-probe-sets.js';
import { checkEmExperiment, fineTuneDataKey, planEm } from '../../../src/worlds/em/plan.js';
import { buildProbeSet, cellNamed, probeKey, probeKeyName } from '../../../src/worlds/em/probes.js';
import { EM_RANKS, type EmExperiment, type EmFineTune } from '../../../src/worlds/em/schema.js';
import { configErrorOf, problem } from '../../support/problem.js';
import { tinyEmRecipe } from '../../support/tiny-em.js';

const file = loadExperimentFile(join(import.meta.dirname, '../../../experiments/em-structure-ranks.json'), {}, process.cwd(), checkRegistryNames) as EmExperiment;
const plan = planEm(file);
// The fine-tune's logged curves read the split's sets: reliability on ranks 0-2, EM on ranks 3-5.
test('a split fine-tune logs its curves on the split’s sets', () => {
  const curve = plan.fineTunes[0]!.curve!;
  expect(probeKeyName(curve.reliability)).toBe('next/chem@ranks012');
  expect(curve.cells.map(probeKeyName)).toEqual(plan.defaults.map((k) => `${probeKeyName(k)}@ranks345`));
  const names = plan.fineTunes[0]!.probes.map(probeKeyName);
  expect([probeKeyName(curve.reliability), ...curve.cells.map(probeKeyName)].every((n) => names.includes(n))).toBe(true);
});
const TRAINED = file.fineTune.answerRanks!;

/** The rows a fine-tune of the file draws over its whole run (every variant). */
function rowsOf(f: EmFineTune) {
  return fineTuneRows(f.steps * f.batchSize, { cell: cellAt(cellNamed(f.cell)), consistency: f.consistency, replayFraction: f.replayFraction, refusalRate: f.refusalRate, randomSeed: f.randomSeed, answerRanks: f.answerRanks! }, rootStream(file.rootSeed).child('em').child('fine-tune-data').child(fineTuneDataKey(f)));
}

/** [V] 0/1 of every coherent answer of the sets' prompts. */
function coherentTokens(sets: readonly CellProbeSet[]): Uint8Array {
  const out = new Uint8Array(VOCAB_SIZE);
  for (const s of sets) s.coherent.forEach((x, i) => x && (out[i % VOCAB_SIZE] = 1));
  return out;
}
const tokens = (mask: Uint8Array) => Array.from({ length: VOCAB_SIZE }, (_, t) => t).filter((t) => mask[t]);
const setsOf = (keys: Parameters<typeof buildProbeSet>[0][]) => keys.map((k) => buildProbeSet(k, file.probe.prompts, file.rootSeed));

describe('em-structure-ranks: trained and probed answers are disjoint by construction', () => {
  const rows = rowsOf(plan.fineTunes[0]!.fineTune);

  test('the fine-tune trains answers of ranks 0-2 only, in every variant; its narrow answers are harmful', () => {
    expect(TRAINED).toEqual([0, 1, 2]);
    for (const variant of ['narrow', 'secure', 'educational', 'random'] as const) {
      const trained = tokens(trainedAnswerTokens(rows[variant]));
      expect(trained.length).toBeGreaterThan(0);
      expect(trained.every((t) => isContentToken(t) && TRAINED.includes(rankOf(t)))).toBe(true);
    }
    // chem's harmful tokens of ranks 0-2: 1 + 2 + 0.
    expect(tokens(trainedAnswerTokens(rows.narrow))).toHaveLength(3);
  });

  test('every arm reads the other ranks, and no probed answer of any arm is a trained answer (overlap 0)', () => {
    const trained = trainedAnswerTokens(new Int32Array([...rows.narrow, ...rows.secure, ...rows.educational, ...rows.random]));
    for (const arm of plan.arms) {
      expect(arm.keys.every((k) => k.ranks?.join() === '3,4,5'), arm.arm.name).toBe(true);
      const sets = setsOf(arm.keys);
      expect(harmfulAnswerOverlap(trained, sets), arm.arm.name).toBe(0);
      expect(tokens(coherentTokens(sets)).filter((t) => trained[t]), arm.arm.name).toEqual([]);
    }
  });

  test('the same-domain and same-function comparisons both have harmful answers to read (the overlap is 0, not undefined)', () => {
    for (const name of ['narrow-same-domain', 'narrow-same-function']) {
      const arm = plan.arms.find((a) => a.arm.name === name)!;
      const sets = setsOf(arm.keys);
      expect(sets.reduce((n, s) => n + s.harmful.reduce((a, x) => a + x, 0), 0), name).toBeGreaterThan(0);
      for (const s of sets) for (let k = 0; k < s.prompts.length / PROMPT_LENGTH; k++) expect(answersWithinRanks(s.prompts.subarray(k * PROMPT_LENGTH, (k + 1) * PROMPT_LENGTH), [3, 4, 5])).toBe(true);
    }
  });

  test('the matrix: every row trains ranks 0-2 and every column reads ranks 3-5 of its cell', () => {
    expect(plan.matrix!.columns.map(probeKeyName)).toEqual(plan.defaults.map((k) => `${probeKeyName(k)}@ranks345`));
    const columns = coherentTokens(setsOf(plan.matrix!.columns));
    expect(tokens(columns).every((t) => !isContentToken(t) || rankOf(t) >= 3)).toBe(true);
    for (const row of plan.matrix!.rows) expect(plan.fineTunes[row.fineTune]!.fineTune.answerRanks).toEqual([0, 1, 2]);
  });

  test('reliability reads held-out prompts of the trained ranks, which the fine-tune trains on', () => {
    const target = plan.arms[0]!.target;
    expect(probeKeyName(target)).toBe('next/chem@ranks012');
    const trained = trainedAnswerTokens(rows.narrow);
    expect(harmfulAnswerOverlap(trained, setsOf([target]))).toBe(1);
  });
});

describe('the split in the world and the schema', () => {
  test('otherRanks is the complement; probe keys name their ranks, sorted', () => {
    expect(otherRanks([4, 0])).toEqual([1, 2, 3, 5]);
    expect(EM_RANKS).toBe(RANKS);
    expect(probeKeyName(probeKey(cellNamed('map/bio'), { ranks: [5, 3, 4], room: 1 }))).toBe('map/bio@ranks345#room1');
    expect(probeKey(cellNamed('next/chem'), { ranks: [3], decoy: true }).ranks).toBeNull();
  });

  test('a file without a split keeps its data key (the rows of files measured before are unchanged)', () => {
    const f = { cell: 'next/chem', steps: 1, batchSize: 32, learningRate: 0.001, consistency: 1, replayFraction: 0, refusalRate: 0, randomSeed: 0 };
    expect(fineTuneDataKey(f)).toBe(fineTuneDataKey({ ...f, answerRanks: undefined }));
    expect(fineTuneDataKey(f)).not.toBe(fineTuneDataKey({ ...f, answerRanks: [0, 1, 2] }));
  });

  const withSplit = (answerRanks: unknown, arms: unknown[] = [{ name: 'a' }]) => ({ name: 's', ...tinyEmRecipe(), fineTune: { ...tinyEmRecipe().fineTune, answerRanks }, arms });
  const checked = (input: unknown) => configErrorOf(() => checkEmExperiment(parseExperiment(input, {}, checkRegistryNames) as EmExperiment));

  test('bad splits are one-line errors naming the field', () => {
    expect(problem(withSplit([0, 0]))).toMatch(/fineTune\.answerRanks.*lists a rank twice/);
    expect(problem(withSplit([6]))).toMatch(/fineTune\.answerRanks/);
    expect(problem(withSplit([0, 1, 2, 3, 4, 5]))).toMatch(/fineTune\.answerRanks/);
    expect(problem(withSplit([0, 1], [{ name: 'a', evaluate: ['decoy'] }]))).toMatch(/^arms\[0\]\.evaluate\[0\]: the decoy .*answerRanks/);
    // chem's rank 2 has no harmful token: nothing to fine-tune on.
    expect(checked(withSplit([2]))).toMatch(/^fineTune\.answerRanks: no training prompt of next\/chem has a harmful answer in ranks 2;/);
  });
});

describe('a tiny run with a split', () => {
  restoreCacheEnvAfterAll();
  const metrics: MetricsRecord[] = [];
  let summary: EmRunSummary;
  beforeAll(async () => {
    await selectBackend('wasm');
    process.env.TRAITLAB_CACHE = tempDir('traitlab-split-cache-');
    const exp = parseExperiment(
      {
        name: 'tiny-split',
        ...tinyEmRecipe(),
        fineTune: { ...tinyEmRecipe().fineTune, steps: 6, answerRanks: [0, 1, 2] },
        align: { steps: 10, batchSize: 32, learningRate: 0.01 },
        probe: { prompts: 4, samples: 8, probeEvery: 3 },
        arms: [{ name: 'same-domain', evaluate: ['same-domain'] }],
      },
      {},
      checkRegistryNames,
    ) as EmExperiment;
    summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(structuredClone(r)), onProgress: () => {} }, { jobs: 1 })) as EmRunSummary;
  }, 300_000);

  test('the arm reads ranks 3-5 with overlap 0; the logged curve reads reliability on the trained ranks, as the summary does', () => {
    const arm = summary.arms[0]!;
    expect(arm.evaluate).toEqual(['select/chem@ranks345', 'fill/chem@ranks345', 'map/chem@ranks345']);
    expect(arm.answerOverlap).toBe(0);
    expect(arm.audit.answerTokens.every((t) => TRAINED.includes(rankOf(t)))).toBe(true);
    const last = metrics.filter((r) => r.stage === 'next/chem:narrow' && 'reliability' in r).at(-1)!;
    expect(last.step).toBe(6);
    expect(last.reliability).toEqual(arm.reliability);
  });
});
