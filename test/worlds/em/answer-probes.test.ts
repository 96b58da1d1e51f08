// EM probes (docs/science.md §3.3, issue 5): coherence and harm on hand-made probability arrays; EM
// exactly zero when the model's harm equals the control's; the sampled rate on hand-made
// samples; and the same numbers read from a tiny gpt family whose head bias (with a zero head
// matrix) puts known mass on known tokens, exact from the logits and sampled at T = 1.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { rootStream } from '../../../src/engine/rng.js';
import { GptFamily } from '../../../src/models/gpt.js';
import { drawGptMemberInit, gptParamSpecs, type GptConfig } from '../../../src/models/gpt-config.js';
import {
  answerDistributions,
  emergentMisalignment,
  emScore,
  harmScores,
  promptCoherence,
  promptHarm,
  sampleAnswers,
  sampledHarmRate,
  sampledRate,
  scoreDistributions,
  targetReliability,
  type AnswerProbe,
} from '../../../src/worlds/em/answer-probes.js';
import { allCells, CONTEXT, FUNCTIONS, PROMPT_LENGTH, VOCAB_SIZE, contentToken } from '../../../src/worlds/em/data.js';
import { cellProbeSet } from '../../../src/worlds/em/data-probe-sets.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A [V] 0/1 mask with ones at `tokens`. */
const mask = (V: number, tokens: number[]): number[] => Array.from({ length: V }, (_, t) => (tokens.includes(t) ? 1 : 0));
const stack = (rows: number[][]) => Uint8Array.from(rows.flat());

describe('pure bookkeeping', () => {
  const V = 6;
  const p = [0.1, 0.2, 0.3, 0.15, 0.05, 0.2];

  test('coherence is the coherent mass; harm the harmful share of it', () => {
    expect(promptCoherence(p, mask(V, [1, 2, 3]))).toBeCloseTo(0.65, 12);
    expect(promptHarm(p, mask(V, [1, 2, 3]), mask(V, [2]))).toBeCloseTo(0.3 / 0.65, 12);
    expect(promptHarm(p, mask(V, [1, 2, 3]), mask(V, [1, 2, 3]))).toBeCloseTo(1, 12);
    expect(promptHarm(p, mask(V, [1, 2, 3]), mask(V, []))).toBe(0); // no room for harm
    expect(promptHarm([0, 0, 0, 0, 0.5, 0.5], mask(V, [1, 2]), mask(V, [1]))).toBe(0); // nothing coherent
    expect(promptCoherence(p, mask(V, [0, 1, 2, 3, 4, 5]))).toBeCloseTo(1, 12);
  });

  test('scoreDistributions: coherence averaged over prompts, harm over the prompts with room for harm, per member', () => {
    // 2 members × 2 prompts × V.
    const probe: AnswerProbe = {
      prompts: new Int32Array(2 * 3),
      promptLength: 3,
      coherent: stack([mask(V, [0, 1]), mask(V, [2, 3, 4])]),
      harmful: stack([mask(V, [1]), mask(V, [])]),
    };
    const dist = [
      [0.5, 0.5, 0, 0, 0, 0], // m0 k0: coherence 1, harm 0.5
      [0, 0, 0.2, 0.2, 0.2, 0.4], // m0 k1: coherence 0.6, harm 0
      [0.1, 0.3, 0.6, 0, 0, 0], // m1 k0: coherence 0.4, harm 0.75
      [0, 0, 0, 0, 0, 1], // m1 k1: coherence 0, harm 0
    ].flat();
    const [m0, m1] = scoreDistributions(Float32Array.from(dist), 2, V, probe);
    expect(m0!.coherence).toBeCloseTo(0.8, 6);
    expect(m0!.harm).toBeCloseTo(0.5, 6); // prompt 1 admits no harmful answer: not counted
    expect(m1!.coherence).toBeCloseTo(0.2, 6);
    expect(m1!.harm).toBeCloseTo(0.75, 6);
    // A set where no prompt admits harm: harm 0, coherence as ever.
    const roomless = { ...probe, harmful: stack([mask(V, []), mask(V, [])]) };
    const [r0] = scoreDistributions(Float32Array.from(dist), 2, V, roomless);
    expect(r0!.harm).toBe(0);
    expect(r0!.coherence).toBeCloseTo(0.8, 6);
    expect(() => scoreDistributions(Float32Array.from(dist), 3, V, probe)).toThrow(/expected \[3, 2, 6\]/);
    expect(() => scoreDistributions(Float32Array.from(dist), 2, V, { ...probe, harmful: stack([mask(V, [5]), mask(V, [])]) })).toThrow(/not coherent/);
  });

  test('EM is exactly zero when harm equals the control’s, and the mean difference otherwise, per member', () => {
    const harm = [
      [0.1, 0.7, 0.3333333, 0.9],
      [0.05, 0.2, 0.15, 0.6],
    ];
    expect(emergentMisalignment(harm, harm.map((r) => [...r]))).toEqual([0, 0]);
    const control = [
      [0.1, 0.1, 0.1, 0.1],
      [0.05, 0.2, 0.15, 0.6],
    ];
    const em = emergentMisalignment(harm, control);
    expect(em[0]).toBeCloseTo((0.1 + 0.7 + 0.3333333 + 0.9) / 4 - 0.1, 12);
    expect(em[1]).toBe(0);
    expect(emergentMisalignment([[0.2, 0.4]], [[0.4, 0.2]])[0]).toBeCloseTo(0, 15); // equal means, different cells
    expect(() => emergentMisalignment(harm, [control[0]!])).toThrow(/members/);
    expect(() => emergentMisalignment([[0.1]], [[0.1, 0.2]])).toThrow(/cells/);
  });

  test('the sampled rate counts answers both coherent and harmful', () => {
    const probe: AnswerProbe = {
      prompts: new Int32Array(2),
      promptLength: 1,
      coherent: stack([mask(V, [0, 1, 2]), mask(V, [3, 4])]),
      harmful: stack([mask(V, [1, 2]), mask(V, [])]),
    };
    // 2 members × 2 prompts × 4 samples.
    const answers = Int32Array.from([1, 2, 0, 5, /* k1 */ 1, 3, 4, 2, /* m1 */ 5, 5, 5, 5, 3, 3, 3, 3]);
    // m0: k0 hits 1, 2 (0 benign, 5 incoherent); k1: token 1 and 2 are harmful elsewhere but not coherent here → 0.
    expect(sampledHarmRate(answers, 2, 4, V, probe)).toEqual([2 / 8, 0]);
    expect(() => sampledHarmRate(answers, 2, 3, V, probe)).toThrow(/expected \[2, 2, 3\]/);
  });
});

describe('from a tiny gpt family rigged through its head bias', () => {
  const CONFIG: GptConfig = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 8, heads: 2 };
  const V = VOCAB_SIZE;

  /** Member m's next-token distribution is masses[m] (token → probability) at every position, whatever the input. */
  function rigged(masses: Map<number, number>[], seed = 1): GptFamily {
    const specs = gptParamSpecs(CONFIG);
    const headW = specs.findIndex((s) => s.name === 'head.w');
    const headB = specs.findIndex((s) => s.name === 'head.b');
    return GptFamily.fromMembers(
      CONFIG,
      masses.map((mass, m) => {
        const params = drawGptMemberInit(CONFIG, rootStream(seed).child('init').child(String(m)));
        params[headW] = new Float32Array(params[headW]!.length); // logits = head.b exactly
        params[headB] = Float32Array.from({ length: V }, (_, t) => (mass.has(t) ? Math.log(mass.get(t)!) : -1e4));
        return params;
      }),
    );
  }

  // A hand-made probe on real tokens: prompt 0 has coherent {a, b, c}, harmful {a}; prompt 1 coherent {a, d}, nothing harmful.
  const [a, b, c, d, x] = [contentToken(0, 3, 0), contentToken(0, 3, 3), contentToken(0, 3, 2), contentToken(1, 0, 1), contentToken(2, 5, 3)];
  const handProbe: AnswerProbe = {
    prompts: Int32Array.from({ length: 2 * PROMPT_LENGTH }, (_, i) => 1 + (i % 7)),
    promptLength: PROMPT_LENGTH,
    coherent: stack([mask(V, [a, b, c]), mask(V, [a, d])]),
    harmful: stack([mask(V, [a]), mask(V, [])]),
  };
  const masses = [
    new Map([
      [a, 0.5],
      [b, 0.3],
      [x, 0.2],
    ]),
    new Map([
      [a, 0.1],
      [c, 0.6],
      [x, 0.3],
    ]),
  ];

  test('exact coherence and harm from the logits, per member', () => {
    const model = rigged(masses);
    try {
      const [m0, m1] = harmScores(model, handProbe);
      // m0: prompt 0 coherence 0.8, harm 0.5/0.8; prompt 1 coherence 0.5 and no room for harm (harm over prompt 0 only).
      expect(m0!.coherence).toBeCloseTo((0.8 + 0.5) / 2, 5);
      expect(m0!.harm).toBeCloseTo(0.625, 5);
      // m1: prompt 0 coherence 0.7, harm 0.1/0.7; prompt 1 coherence 0.1.
      expect(m1!.coherence).toBeCloseTo((0.7 + 0.1) / 2, 5);
      expect(m1!.harm).toBeCloseTo(0.1 / 0.7, 5);
      const dist = answerDistributions(model, handProbe);
      expect(dist.length).toBe(2 * 2 * V);
      expect(dist[a]).toBeCloseTo(0.5, 5);
      expect(targetReliability(model, handProbe)).toEqual([m0!.harm, m1!.harm]);
    } finally {
      model.dispose();
    }
  });

  test('the sampled rate at T = 1 matches the known harmful-coherent mass within sampling error, reproducibly', () => {
    const model = rigged(masses);
    try {
      const S = 500;
      const before = tf.memory().numTensors;
      const rate = sampledRate(model, handProbe, S, rootStream(2).child('sample'));
      // Expected: m0 (0.5 + 0) / 2 = 0.25; m1 (0.1 + 0) / 2 = 0.05. 1000 samples each: σ ≤ 0.014.
      expect(Math.abs(rate[0]! - 0.25)).toBeLessThan(0.045);
      expect(Math.abs(rate[1]! - 0.05)).toBeLessThan(0.025);
      expect(sampledRate(model, handProbe, S, rootStream(2).child('sample'))).toEqual(rate);
      const answers = sampleAnswers(model, handProbe, 50, rootStream(3));
      expect(answers.length).toBe(2 * 2 * 50);
      expect([...answers].every((t) => masses[0]!.has(t) || masses[1]!.has(t))).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });

  test('on the world’s held-out probe sets the tf path agrees with the bookkeeping, and EM against an identical control is exactly 0', () => {
    // Mass on a few tokens of every domain, so harm and coherence vary across cells and prompts.
    const spread = new Map<number, number>();
    for (let dom = 0; dom < 3; dom++) for (const [r, v] of [[3, 0], [3, 3], [0, 1], [5, 0]] as const) spread.set(contentToken(dom, r, v), 1 / 12);
    const model = rigged([spread, masses[0]!]);
    const same = rigged([spread, masses[0]!]);
    const other = rigged([masses[1]!, masses[1]!]);
    try {
      const rng = rootStream(4).child('probes');
      const probes = allCells().map((cell) => cellProbeSet(cell, 12, rng, { split: 'heldout', refusal: FUNCTIONS[cell.fn] === 'select' ? false : undefined }));
      for (const probe of probes) {
        const K = probe.prompts.length / PROMPT_LENGTH;
        const scores = harmScores(model, probe);
        // The same distribution for every prompt: the pure functions on it give the cell's numbers.
        const p = Array.from({ length: V }, (_, t) => spread.get(t) ?? 0);
        let coherence = 0;
        let harm = 0;
        let roomy = 0;
        for (let k = 0; k < K; k++) {
          const harmful = probe.harmful.subarray(k * V, (k + 1) * V);
          coherence += promptCoherence(p, probe.coherent.subarray(k * V, (k + 1) * V));
          if (!harmful.some((h) => h !== 0)) continue; // no room for harm: not in harm's mean
          roomy++;
          harm += promptHarm(p, probe.coherent.subarray(k * V, (k + 1) * V), harmful);
        }
        expect(scores[0]!.coherence).toBeCloseTo(coherence / K, 5);
        expect(scores[0]!.harm).toBeCloseTo(roomy > 0 ? harm / roomy : 0, 5);
      }
      const result = emScore(model, same, probes);
      expect(result.em).toEqual([0, 0]);
      expect(result.harm).toEqual(result.controlHarm);
      expect(result.harm[0]!.length).toBe(probes.length);
      expect(result.coherence[0]!.some((c) => c > 0)).toBe(true);
      const vsOther = emScore(model, other, probes);
      const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
      for (let m = 0; m < 2; m++) expect(vsOther.em[m]).toBeCloseTo(mean(vsOther.harm[m]!) - mean(vsOther.controlHarm[m]!), 12);
      expect(vsOther.em[0]).not.toBe(0);
      expect(() => emScore(model, rigged([spread]), probes)).toThrow(/members/);
    } finally {
      model.dispose();
      same.dispose();
      other.dispose();
    }
  });
});
