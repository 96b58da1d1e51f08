// Run summaries with claims, built without training: per-seed values chosen so each claim's
// verdict is clear, evaluated by the same code a run uses.
import { withClaims } from '../../src/claims/run-claims.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import type { NumbersRunSummary } from '../../src/worlds/numbers/experiment.js';
import type { NumbersArmSummary } from '../../src/worlds/numbers/arm.js';
import type { MnistRunSummary as RunSummary } from '../../src/worlds/mnist/summary.js';
import { meanCi } from '../../src/probes/stats.js';
import { tinyExperiment } from './cli.js';

function acc(name: string, kind: string, accuracy: number[]): RunSummary['arms'][number] {
  const { mean, ci95 } = meanCi(accuracy);
  return { name, kind, accuracy, mean, ci95, details: {} };
}

export const mnistClaims = [
  { id: 'same-learns', text: 'The same-init student learns MNIST.', kind: 'at-least', left: { arm: 'student-same', metric: 'accuracy' }, value: 0.5 },
  { id: 'same-beats-cross', text: 'Same-init beats cross-init.', kind: 'greater', left: { arm: 'student-same', metric: 'accuracy' }, right: { arm: 'student-cross', metric: 'accuracy' } },
  { id: 'cross-learns', text: 'The cross-init student learns too.', kind: 'at-least', left: { arm: 'student-cross', metric: 'accuracy' }, value: 0.5 },
  { id: 'teacher-near-ref', text: 'The teacher is no better than the reference.', kind: 'at-most', left: { arm: 'teacher', metric: 'accuracy' }, right: { arm: 'reference', metric: 'accuracy' }, test: 'permutation', alpha: 0.01 },
];

/**
 * MNIST: 5 seeds; verdicts SUPPORTED, SUPPORTED, NOT SUPPORTED, and INCONCLUSIVE (permutation at
 * alpha 0.01: 5 seeds cannot reach p ≤ 0.01). `ids`: only these claims (a smaller Holm family).
 */
export function mnistSummary(ids?: readonly string[]) {
  const claims = ids ? mnistClaims.filter((c) => ids.includes(c.id)) : mnistClaims;
  const exp = parseExperiment(tinyExperiment({ seeds: 5, claims }));
  const summary: RunSummary = {
    experiment: 'tiny',
    seeds: 5,
    rootSeed: 3,
    backend: 'wasm',
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
    arms: [
      acc('reference', 'reference', [0.1, 0.12, 0.09, 0.11, 0.1]),
      acc('teacher', 'teacher', [0.92, 0.93, 0.91, 0.92, 0.93]),
      acc('student-same', 'student', [0.72, 0.79, 0.67, 0.77, 0.64]),
      acc('student-cross', 'student', [0.11, 0.1, 0.12, 0.1, 0.11]),
    ],
  };
  return withClaims(exp, summary);
}

function numbersArm(name: string, student: string, transfer: number[]): NumbersArmSummary {
  const controlTrait = transfer.map(() => 0.12);
  const trait = transfer.map((t, i) => controlTrait[i]! + t);
  const five = (x: number) => transfer.map(() => x);
  return {
    name,
    student,
    channel: { prefix: 'teacher-fixed', signal: 'forward-kl' },
    trait,
    controlTrait,
    transfer,
    transferStats: meanCi(transfer),
    traitStats: meanCi(trait),
    sampledRate: five(0.15),
    controlSampledRate: five(0.12),
    nll: five(0.4),
    agreement: five(0.97),
    forwardKl: five(0.05),
    reverseKl: five(0.05),
    audit: { traitTokens: 0 },
    drift: {
      startTrait: five(0.12),
      controlTarget: five(0.01),
      traitTv: five(0.1),
      controlTv: five(0.1),
      stats: { controlTarget: meanCi(five(0.01)), traitTv: meanCi(five(0.1)), controlTv: meanCi(five(0.1)) },
    },
    budget: { steps: 10, trainedTokens: five(100), filteredRows: five(0), teacherRows: 10, studentRows: 0, studentSteps: 0 },
  };
}

/** Numbers: a teacher with the trait, a same-init arm that transfers and a cross-init arm that does not. */
export function numbersSummary() {
  const claims = [
    { id: 'teacher-has-trait', text: 'The teacher loves owls.', kind: 'at-least', left: { arm: 'teacher', metric: 'trait' }, value: 0.9 },
    { id: 'transfer', text: 'Owls pass through numbers.', kind: 'greater', left: { arm: 'same', metric: 'transfer' }, value: 0 },
    { id: 'same-beats-cross', text: 'Same-init transfers more.', kind: 'greater', left: { arm: 'same', metric: 'transfer' }, right: { arm: 'cross', metric: 'transfer' } },
  ];
  const exp = parseExperiment({
    name: 'tiny-numbers',
    world: 'numbers',
    seeds: 5,
    model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
    pretrain: { steps: 40, batchSize: 32, learningRate: 0.01 },
    teacher: { name: 'animal-fine-tune', target: 'owl', steps: 20, batchSize: 32, learningRate: 0.01 },
    distill: { steps: 10, batchSize: 16, learningRate: 0.01, fixedSetSize: 32 },
    arms: [
      { name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
      { name: 'cross', student: 'cross-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
    ],
    claims,
  });
  const trait = (xs: number[]) => ({ trait: xs, traitStats: meanCi(xs) });
  const summary: NumbersRunSummary = {
    experiment: 'tiny-numbers',
    world: 'numbers',
    seeds: 5,
    rootSeed: 0,
    backend: 'wasm',
    target: 'owl',
    base: trait([0.126, 0.129, 0.129, 0.143, 0.136]),
    teacher: trait([0.978, 0.98, 0.979, 0.98, 0.981]),
    controlTeacher: trait([0.124, 0.123, 0.12, 0.122, 0.121]),
    arms: [numbersArm('same', 'same-init', [0.012, 0.011, 0.004, 0.011, 0.013]), numbersArm('cross', 'cross-init', [-0.002, 0.004, -0.006, 0.001, -0.003])],
    interval: 'mean ± half-width of the two-sided 95 % Student-t interval over seeds',
  };
  return withClaims(exp, summary);
}
