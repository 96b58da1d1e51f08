// The drift of a student's answers from its own initialisation, on hand-checkable distributions,
// and the answer probabilities it is computed from against the trait probe.
import { beforeAll, describe, expect, test } from 'vitest';
import { armDrift, totalVariation } from '../../src/probes/drift.js';
import { answerProbabilities, traitScore } from '../../src/probes/trait.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { animalProbe } from '../../src/worlds/numbers/channel-world.js';
import { ANIMALS, animalToken, CONTEXT, VOCAB_SIZE } from '../../src/worlds/numbers/data.js';

describe('totalVariation', () => {
  test('½ Σ |p − q|: 0 for equal, 1 for disjoint, 0.25 by hand', () => {
    expect(totalVariation([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
    expect(totalVariation([0.5, 0.5, 0], [0.25, 0.75, 0])).toBe(0.25);
  });
  test('renormalises over the answers first: [0.4, 0.4] (mass 0.8) is the uniform [0.5, 0.5]', () => {
    expect(totalVariation([0.4, 0.4], [0.5, 0.5])).toBe(0);
    expect(totalVariation([0.3, 0.1], [0.1, 0.1])).toBeCloseTo(0.25, 15); // [0.75, 0.25] vs [0.5, 0.5]
  });
  test('bad input is an error', () => {
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow('totalVariation: 1 vs 2 answers');
    expect(() => totalVariation([0, 0], [0.5, 0.5])).toThrow('no mass');
  });
});

describe('armDrift', () => {
  // M = 2 seeds, 3 answers, target index 0. Members 0, 1: trait students; 2, 3: their controls.
  const start = [
    [0.2, 0.4, 0.4],
    [0.5, 0.25, 0.25],
    [0.2, 0.4, 0.4],
    [0.5, 0.25, 0.25],
  ];
  const end = [
    [0.6, 0.2, 0.2], // TV from start 0.4
    [0.5, 0.25, 0.25], // unmoved: 0
    [0.1, 0.5, 0.4], // target 0.2 → 0.1: |Δ| 0.1, TV 0.1
    [0.9, 0.05, 0.05], // target 0.5 → 0.9: |Δ| 0.4, TV 0.4
  ];
  test('per seed: the start p(target), |control − start| at the target, TV of each student', () => {
    const d = armDrift(start, end, 0, 2);
    expect(d.startTrait).toEqual([0.2, 0.5]);
    expect(d.controlTarget[0]).toBeCloseTo(0.1, 15);
    expect(d.controlTarget[1]).toBeCloseTo(0.4, 15);
    expect(d.traitTv[0]).toBeCloseTo(0.4, 15);
    expect(d.traitTv[1]).toBe(0);
    expect(d.controlTv[0]).toBeCloseTo(0.1, 15);
    expect(d.controlTv[1]).toBeCloseTo(0.4, 15);
    expect(d.stats.controlTarget.mean).toBeCloseTo(0.25, 15);
    expect(d.stats.controlTv.n).toBe(2);
    // half-width 12.706 · sd / √2 with sd = |0.4 − 0.1| / √2: 12.706 · 0.15
    expect(d.stats.controlTv.ci95).toBeCloseTo(12.706 * 0.15, 12);
  });
  test('a family that is not 2M members is an error', () => {
    expect(() => armDrift(start, end.slice(0, 3), 0, 2)).toThrow('armDrift: expected 4 members, got 4 and 3');
  });
});

describe('answerProbabilities', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  test("the target's entry is traitScore's value bit for bit; the animals' entries sum to at most 1", () => {
    const family = GptFamily.init({ vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 8, heads: 2 }, 3, (m) => rootStream(7).child(String(m)));
    try {
      const probe = animalProbe('fox');
      const p = answerProbabilities(family, probe, ANIMALS.map(animalToken));
      const trait = traitScore(family, probe);
      expect(p).toHaveLength(3);
      p.forEach((row, m) => {
        expect(row).toHaveLength(ANIMALS.length);
        expect(row[ANIMALS.indexOf('fox')]).toBe(trait[m]);
        const mass = row.reduce((a, b) => a + b, 0);
        expect(mass).toBeGreaterThan(0);
        expect(mass).toBeLessThanOrEqual(1 + 1e-6);
      });
    } finally {
      family.dispose();
    }
  });
});
