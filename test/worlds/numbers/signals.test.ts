// The numbers world's mechanism measurements as files and summaries: the divergence and
// gradient-alignment options parse (and the shipped files that use them load), the settings they
// cannot honour are one-line errors naming the field, the summary helpers compute the early
// share and the cosine statistics from a trajectory, and a claim operand's scale multiplies its
// per-seed values.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { evaluateRunClaims } from '../../../src/claims/run-claims.js';
import { claimStatement } from '../../../src/report/claims-table.js';
import { loadExperimentFile, parseExperiment } from '../../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import type { RunSummaryBase } from '../../../src/run/types.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { AlignmentRecorder, divergenceSummary, interpolateAt } from '../../../src/worlds/numbers/signals.js';
import { problem } from '../../support/problem.js';
import { tinyEmRecipe } from '../../support/tiny-em.js';
import { tinyPersonaFile } from '../../support/tiny-numbers.js';

const valid = () => tinyPersonaFile({ prefix: 'teacher-fresh', signal: 'tokens' }, { steps: 20, probeEvery: 2 });
const withChannel = (extra: Record<string, unknown>) => {
  const v = valid();
  v.arms[0]!.channel = { ...v.arms[0]!.channel, ...extra };
  return v;
};
const parse = (input: unknown) => parseExperiment(input, {}, checkRegistryNames) as NumbersExperiment;
const claimOn = (metric: string) => ({ id: 'c', text: 't', kind: 'greater', left: { arm: 'a', metric }, value: 0 });

describe('the options in experiment files', () => {
  test('parse, and are absent (today’s behaviour) unless given', () => {
    expect(parse(valid()).arms[0]!.channel).toEqual({ prefix: 'teacher-fresh', signal: 'tokens' });
    expect(parse(valid()).distill.gradientCosine).toBeUndefined();
    const exp = parse({ ...withChannel({ divergence: 'mask', baseKl: { weight: 0.5, untilStep: 2 } }), distill: { ...valid().distill, gradientCosine: true } });
    expect(exp.arms[0]!.channel).toMatchObject({ divergence: 'mask', baseKl: { weight: 0.5, untilStep: 2 } });
    expect(exp.distill.gradientCosine).toBe(true);
  });

  test('what they cannot honour is one line naming the field', () => {
    expect(problem(withChannel({ prefix: 'student', signal: 'pg', divergence: 'mask' }))).toBe(
      'arms[0].channel.divergence: "mask" is not defined for signal "pg" (its advantages are sums over the sampled row); use "log" or another signal',
    );
    expect(problem(withChannel({ divergence: 'hide' }))).toMatch(/^arms\[0\]\.channel\.divergence: .*"off", "log", "mask"/);
    expect(problem(withChannel({ baseKl: { weight: -1, untilStep: 2 } }))).toMatch(/^arms\[0\]\.channel\.baseKl\.weight: /);
    expect(problem(withChannel({ baseKl: { weight: 1 } }))).toMatch(/^arms\[0\]\.channel\.baseKl\.untilStep: /);
    expect(problem({ ...valid(), claims: [claimOn('gradientCosine')] })).toBe('claims[0].left.metric: "gradientCosine" is measured only with distill.gradientCosine true; set it');
    expect(problem({ ...valid(), claims: [claimOn('earlyTransfer')] })).toBe('claims[0].left.metric: "earlyTransfer" is measured only with distill.gradientCosine true; set it');
    expect(problem({ ...valid(), claims: [claimOn('divergenceFraction')] })).toBe('claims[0].left.metric: "divergenceFraction" needs arm "a" to set channel.divergence to "log" or "mask"');
    expect(problem({ ...valid(), claims: [{ ...claimOn('transfer'), left: { arm: 'a', metric: 'transfer', scale: 0 } }] })).toMatch(/^claims\[0\]\.left\.scale: /);
  });

  test('the EM world, which has no neutral partner on a batch nor a frozen base, refuses them', () => {
    const em = {
      name: 'tiny-em-sub',
      ...tinyEmRecipe(),
      arms: [{ name: 'narrow' }],
      distill: { steps: 10, batchSize: 8, learningRate: 0.01, fixedSetSize: 32, probeEvery: 5 } as Record<string, unknown>,
      subliminal: [{ name: 's', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl', divergence: 'log' } as Record<string, unknown> }],
    };
    expect(problem(em)).toBe('subliminal[0].channel.divergence: divergence positions are measured in the numbers world only; remove it');
    em.subliminal[0]!.channel = { prefix: 'teacher-fixed', signal: 'forward-kl', baseKl: { weight: 1, untilStep: 1 } };
    expect(problem(em)).toBe('subliminal[0].channel.baseKl: the KL-to-base penalty is offered in the numbers world only; remove it');
    em.subliminal[0]!.channel = { prefix: 'teacher-fixed', signal: 'forward-kl' };
    expect(problem({ ...em, distill: { ...em.distill, gradientCosine: true } })).toBe('distill.gradientCosine: the gradient-alignment probe is measured in the numbers world only; remove it');
  });

  test.each(['numbers-divergence', 'numbers-gradient-alignment'])('the shipped %s loads, with 5 seeds and the first tenth a probe step', (name) => {
    const exp = loadExperimentFile(join(import.meta.dirname, `../../../experiments/${name}.json`), {}, process.cwd(), checkRegistryNames) as NumbersExperiment;
    expect(exp.seeds).toBe(5);
    expect((exp.distill.steps / 10) % exp.distill.probeEvery).toBe(0);
    expect(exp.claims.length).toBeGreaterThan(3);
  });
});

describe('summaries', () => {
  test('interpolateAt: exact at a sample, linear between, clamped outside', () => {
    expect(interpolateAt([0, 10, 20], [0, 0.4, 0.5], 10)).toBe(0.4);
    expect(interpolateAt([0, 10, 20], [0, 0.4, 0.5], 15)).toBeCloseTo(0.45, 12);
    expect(interpolateAt([0, 10, 20], [0, 0.4, 0.5], 25)).toBe(0.5);
    expect(interpolateAt([0, 10], [0.1, 0.4], -1)).toBe(0.1);
  });

  test('AlignmentRecorder: mean cosine and positive share per seed, trait and control, and the early share', () => {
    const r = new AlignmentRecorder(2);
    // Probes at 0, 10, 20 (steps 20 → early step 2, between probes 0 and 10: interpolated).
    r.transfer(0, [0, 0]);
    r.cosine([0.1, -0.2, 0.0, 0.05]);
    r.transfer(10, [0.2, 0.4]);
    r.cosine([0.3, 0.2, -0.1, -0.05]);
    r.transfer(20, [0.4, 0.6]);
    const s = r.summary(20, [0.4, 0.6]);
    expect(s.gradientCosine[0]).toBeCloseTo(0.2, 12);
    expect(s.gradientCosine[1]).toBeCloseTo(0, 12);
    expect(s.gradientCosinePositive).toEqual([1, 0.5]);
    expect(s.controlGradientCosine[0]).toBeCloseTo(-0.05, 12);
    expect(s.controlGradientCosinePositive).toEqual([0, 0.5]);
    expect(s.earlyStep).toBe(2);
    expect(s.earlyStepProbed).toBe(false);
    expect(s.earlyTransfer[0]).toBeCloseTo(0.04, 12);
    expect(s.earlyTransfer[1]).toBeCloseTo(0.08, 12);
    expect(s.earlyShare).toBeCloseTo(0.06 / 0.5, 12);
    expect(s.gradientCosineStats.n).toBe(2);
    // The early share is not a ratio of a non-positive transfer.
    expect(r.summary(20, [-0.1, 0.05]).earlyShare).toBeNull();
  });

  test('divergenceSummary: divergent / trained per member, trait then control', () => {
    const s = divergenceSummary([5, 10, 0, 3], [100, 200, 0, 60], 2);
    expect(s.divergenceFraction).toEqual([0.05, 0.05]);
    expect(s.controlDivergenceFraction).toEqual([0, 0.05]);
    expect(s.divergenceStats.mean).toBeCloseTo(0.05, 12);
  });

  test("a claim operand's scale multiplies its per-seed values before the paired difference", () => {
    const exp = parse({
      ...valid(),
      seeds: 5,
      arms: [
        { name: 'a', student: 'same-init', channel: { prefix: 'teacher-fresh', signal: 'tokens' } },
        { name: 'b', student: 'same-init', channel: { prefix: 'teacher-fresh', signal: 'tokens', divergence: 'mask' } },
      ],
      // margin 0: the claim is about the scaled comparison itself (transfer's default margin, 0.05, would put seed 1's −0.05 on the boundary)
      claims: [{ id: 'half', text: 'b is below half of a', kind: 'less', left: { arm: 'b', metric: 'transfer' }, right: { arm: 'a', metric: 'transfer', scale: 0.5 }, margin: 0 }],
    });
    const summary = { arms: [{ name: 'a', transfer: [0.4, 0.2, 0.6, 0.4, 0.2] }, { name: 'b', transfer: [0.1, 0.05, 0.2, 0.1, 0.0] }] } as unknown as RunSummaryBase;
    const [result] = evaluateRunClaims(exp, summary);
    expect(result!.differences.map((d) => +d!.toFixed(12))).toEqual([-0.1, -0.05, -0.1, -0.1, -0.1]);
    expect(result!.verdict).toBe('SUPPORTED');
    expect(result!.test).toContain('d_i = left_i − 0.5·right_i for seed i (paired)');
    expect(claimStatement(result!)).toBe('transfer(b) < 0.5·transfer(a)');
  });
});
