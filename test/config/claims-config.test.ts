// Claims in experiment files: defaults, and every mistake as one ConfigError line naming the
// field, the claim and the fix.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { experimentJsonSchema } from '../../src/registry/experiment-json-schema.js';
import { loadExperimentFile, parseExperiment } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { tinyExperiment } from '../support/cli.js';
import { problem } from '../support/problem.js';

const sameVsCross = { id: 'same-beats-cross', text: 'same-init beats cross-init', kind: 'greater', left: { arm: 'student-same', metric: 'accuracy' }, right: { arm: 'student-cross', metric: 'accuracy' } };

const numbers = (claims: unknown[]) => ({
  name: 'tiny-numbers',
  world: 'numbers',
  seeds: 2,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: 40, batchSize: 32, learningRate: 0.01 },
  teacher: { name: 'animal-fine-tune', target: 'owl', steps: 20, batchSize: 32, learningRate: 0.01 },
  distill: { steps: 8, batchSize: 16, learningRate: 0.01, fixedSetSize: 32 },
  arms: [
    { name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
    { name: 'cross', student: 'cross-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
  ],
  claims,
});


const mnist = (claims: unknown[], extra: Record<string, unknown> = {}) => tinyExperiment({ claims, ...extra });

describe('valid claims', () => {
  test('claims default to none, and the test settings to a 95 % paired bootstrap of 10,000 resamples', () => {
    const exp = parseExperiment(tinyExperiment());
    expect(exp.claims).toEqual([]);
    expect(exp.claimDefaults).toEqual({ test: 'paired-bootstrap', alpha: 0.05, resamples: 10_000 });
  });

  test('a claim with right, one with value, per-claim settings and file-level defaults parse as written', () => {
    const exp = parseExperiment(
      mnist(
        [sameVsCross, { id: 'learns', text: 'learns', kind: 'at-least', left: { arm: 'student-same', metric: 'accuracy' }, value: 0.5, test: 'permutation', alpha: 0.1, resamples: 500 }],
        { claimDefaults: { alpha: 0.01 } },
      ),
    );
    expect(exp.claims[1]).toMatchObject({ kind: 'at-least', value: 0.5, test: 'permutation', alpha: 0.1, resamples: 500 });
    expect(exp.claimDefaults).toEqual({ test: 'paired-bootstrap', alpha: 0.01, resamples: 10_000 });
  });

  test('numbers claims may name the teacher, control teacher and base (metric trait)', () => {
    const claims = ['teacher', 'control-teacher', 'base'].map((arm, i) => ({ id: `c${i}`, text: 't', kind: 'at-least', left: { arm, metric: 'trait' }, value: 0.1 }));
    expect(parseExperiment(numbers(claims), {}, checkRegistryNames).claims).toHaveLength(3);
  });

  test.each(['mnist-aux-logits', 'numbers-owl', 'numbers-owl-grid', 'numbers-lora', 'numbers-hard-tokens'])('the shipped %s declares claims that load', (name) => {
    const exp = loadExperimentFile(join(import.meta.dirname, '../../experiments', `${name}.json`), {}, process.cwd(), checkRegistryNames);
    expect(exp.claims.length).toBeGreaterThanOrEqual(3);
  });

  test('the JSON Schema of both worlds describes claims and claimDefaults', () => {
    for (const world of ['mnist', 'numbers'] as const) {
      const props = experimentJsonSchema(world).properties as Record<string, { items?: { properties?: Record<string, unknown> } }>;
      expect(Object.keys(props.claims!.items!.properties!)).toEqual(['id', 'text', 'kind', 'left', 'right', 'value', 'test', 'alpha', 'resamples', 'margin']);
      expect(props).toHaveProperty('claimDefaults');
    }
  });

  test("margins: a claim's own and the file's per metric parse; the schema text gives each metric's default and why", () => {
    const exp = parseExperiment(mnist([{ ...sameVsCross, margin: 0.03 }], { claimDefaults: { margins: { accuracy: 0.01 } } }));
    expect(exp.claims[0]!.margin).toBe(0.03);
    expect(exp.claimDefaults).toEqual({ test: 'paired-bootstrap', alpha: 0.05, resamples: 10_000, margins: { accuracy: 0.01 } });
    const props = experimentJsonSchema('numbers').properties as Record<string, { items?: { properties?: Record<string, { description?: string }> } }>;
    const margin = props.claims!.items!.properties!.margin!.description!;
    expect(margin).toContain('smallest effect of interest');
    expect(margin).toContain('transfer 0.05 (p(target), 0–1: 5 percentage points');
    expect(margin).toContain('0 for at-least / at-most against a value');
  });
});

describe('claim errors are one line naming the field', () => {
  test.each([
    ['unknown arm (mnist)', mnist([{ ...sameVsCross, right: { arm: 'student-crosss', metric: 'accuracy' } }]), 'claims[0].right.arm: unknown arm "student-crosss" in claim "same-beats-cross"; use one of "reference", "teacher", "student-same", "student-cross"'],
    [
      'unknown arm (numbers, with the reserved names)',
      numbers([{ id: 'x', text: 't', kind: 'greater', left: { arm: 'sam', metric: 'transfer' }, value: 0 }]),
      'claims[0].left.arm: unknown arm "sam" in claim "x"; use one of "same", "cross", "teacher", "control-teacher", "base"',
    ],
    ['bad metric (mnist)', mnist([{ ...sameVsCross, left: { arm: 'student-same', metric: 'transfer' } }]), 'claims[0].left.metric: invalid value "transfer"; use "accuracy"'],
    [
      'bad metric (numbers)',
      numbers([{ id: 'x', text: 't', kind: 'greater', left: { arm: 'same', metric: 'loss' }, value: 0 }]),
      'claims[0].left.metric: invalid value "loss"; use one of "transfer", "trait", "controlTrait", "sampledRate", "nll", "agreement", "forwardKl", "reverseKl", "divergenceFraction", "gradientCosine", "controlGradientCosine", "gradientCosinePositive", "earlyTransfer"',
    ],
    [
      'a reserved name with another metric',
      numbers([{ id: 'x', text: 't', kind: 'greater', left: { arm: 'teacher', metric: 'transfer' }, value: 0 }]),
      'claims[0].left.metric: "teacher" has only the metric "trait" in claim "x"; use "trait"',
    ],
    ['alpha above 0.5', mnist([{ ...sameVsCross, alpha: 0.9 }]), 'claims[0].alpha: must be ≤ 0.5 (got 0.9)'],
    ['alpha of 0 in the defaults', mnist([sameVsCross], { claimDefaults: { alpha: 0 } }), 'claimDefaults.alpha: must be > 0 (got 0)'],
    ['too few resamples', mnist([{ ...sameVsCross, resamples: 10 }]), 'claims[0].resamples: must be ≥ 100 (got 10)'],
    ['a negative margin', mnist([{ ...sameVsCross, margin: -0.02 }]), 'claims[0].margin: must be ≥ 0 (got -0.02)'],
    ['a negative margin in the defaults', mnist([sameVsCross], { claimDefaults: { margins: { accuracy: -1 } } }), 'claimDefaults.margins.accuracy: must be ≥ 0 (got -1)'],
    ['a margin for a metric the world does not have', mnist([sameVsCross], { claimDefaults: { margins: { transfer: 0.1 } } }), 'claimDefaults.margins.transfer: unknown key; remove it (allowed keys: accuracy)'],
    ['unknown test', mnist([{ ...sameVsCross, test: 't-test' }]), 'claims[0].test: invalid value "t-test"; use one of "paired-bootstrap", "permutation"'],
    ['unknown kind', mnist([{ ...sameVsCross, kind: 'bigger' }]), 'claims[0].kind: invalid value "bigger"; use one of "greater", "less", "at-least", "at-most"'],
    ['both right and value', mnist([{ ...sameVsCross, value: 0.5 }]), 'claims[0].value: claim "same-beats-cross" has both right and value; keep one'],
    ['neither right nor value', mnist([{ ...sameVsCross, right: undefined }]), 'claims[0].value: missing; claim "same-beats-cross" needs value (a number) or right ({"arm": …, "metric": …}) to compare with'],
    ['duplicate id', mnist([sameVsCross, sameVsCross]), 'claims[1].id: duplicate claim id "same-beats-cross"; give every claim a unique id'],
    ['bad id', mnist([{ ...sameVsCross, id: 'Same beats cross' }]), 'claims[0].id: invalid value "Same beats cross"; use lower-case letters, digits, dots and dashes'],
    ['misspelt key', mnist([{ ...sameVsCross, rigth: sameVsCross.right, right: undefined }]), 'claims[0].rigth: unknown key; did you mean "right"? (allowed keys: id, text, kind, left, right, value, test, alpha, resamples, margin)'],
    ['missing text', mnist([{ ...sameVsCross, text: undefined }]), 'claims[0].text: missing; add it (a non-empty string)'],
  ])('%s', (_name, input, message) => {
    expect(problem(input)).toBe(message);
  });

  test('an arm that takes a reserved name is ambiguous in a claim', () => {
    const input = numbers([{ id: 'x', text: 't', kind: 'at-least', left: { arm: 'teacher', metric: 'trait' }, value: 0.9 }]);
    input.arms.push({ name: 'teacher', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } });
    expect(problem(input)).toBe('claims[0].left.arm: "teacher" is both an arm and a reserved name in claim "x"; rename the arm');
  });
});
