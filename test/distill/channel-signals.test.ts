// The channel's three optional mechanism signals on a tiny world (vocabulary of 6) with tiny gpt
// families: divergence positions (logged without moving a number, counted as an independent
// host argmax counts them, masked out of the loss), the KL-to-base penalty (zero while the
// student is the base, pulls it back otherwise), and the gradient-alignment cosine against
// both gradients taken by central finite differences.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { runChannel, type ChannelBatch, type ChannelSettings, type ChannelWorld } from '../../src/distill/channel.js';
import { memberCosines } from '../../src/distill/gradient-alignment.js';
import { baseKlPenalty, forwardKlSeq, reverseKlSeq } from '../../src/distill/sequence-losses.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { gptParamSpecs, type GptConfig } from '../../src/models/gpt-config.js';
import { logTraitScore, traitScore, type QuestionProbe } from '../../src/probes/trait.js';

// Tokens: 0 pad, 1 eos, 2–4 "numbers", 5 the trait token (never allowed on the channel).
const V = 6;
const CONFIG: GptConfig = { vocabSize: V, context: 5, layers: 1, dModel: 4, heads: 1 };
const ALLOWED = Uint8Array.from([0, 1, 1, 1, 1, 0]);
const HEAD_B = gptParamSpecs(CONFIG).findIndex((s) => s.name === 'head.b');
const PROBE: QuestionProbe = { prompts: Int32Array.from([2, 3, 4, 2]), promptLength: 2, target: 5 };

const WORLD: ChannelWorld = {
  allowed: ALLOWED,
  traitTokens: Uint8Array.from([0, 0, 0, 0, 0, 1]),
  promptLength: 2,
  completionLength: 3,
  eos: 1,
  pad: 0,
  prompts: (n, rng) => Int32Array.from({ length: 2 * n }, () => 2 + rng.int(3)),
  keep: () => true,
};

const SETTINGS: ChannelSettings = {
  prefix: 'teacher-fresh',
  signal: 'tokens',
  steps: 4,
  batchSize: 6,
  learningRate: 0.01,
  samplingTemperature: 1,
  lossTemperature: 1,
  fixedSetSize: 6,
};

let members: Float32Array[][]; // 4 independently initialised members
beforeAll(async () => {
  await selectBackend('wasm');
  const f = GptFamily.init(CONFIG, 4, (m) => rootStream(7).child('init').child(String(m)));
  members = Array.from({ length: 4 }, (_, m) => f.memberParams(m));
  f.dispose();
});

const copy = (p: Float32Array[][]) => p.map((m) => m.map((a) => Float32Array.from(a)));
const paramsOf = (f: GptFamily) => Array.from({ length: f.members }, (_, m) => f.memberParams(m));
const same = (a: Float32Array[][], b: Float32Array[][]) => a.every((pm, m) => pm.every((x, i) => x.every((v, j) => Object.is(v, b[m]![i]![j]))));
/** A copy of `params` with `delta` added to the head bias of `token`. */
function biased(params: Float32Array[], token: number, delta: number): Float32Array[] {
  return params.map((a, i) => {
    const c = Float32Array.from(a);
    if (i === HEAD_B) c[token]! += delta;
    return c;
  });
}

interface Out {
  student: Float32Array[][];
  steps: { divergence?: number[]; loss?: number[] }[];
  rows: Int32Array[];
  batches: ChannelBatch[];
  divergentTokens: number[] | undefined;
  trainedTokens: number[];
  cosines: { step: number; cosine: number[] }[];
  /** tf.memory().numTensors at the end of every step (index 0 = step 1). */
  tensors: number[];
}

function run(settings: ChannelSettings, teacherParams: Float32Array[][], studentParams: Float32Array[][], extra: { base?: Float32Array[][]; alignment?: boolean; view?: number } = {}): Out {
  const teacher = GptFamily.fromMembers(CONFIG, teacherParams, false);
  const student = GptFamily.fromMembers(CONFIG, copy(studentParams));
  const base = extra.base ? GptFamily.fromMembers(CONFIG, extra.base, false) : undefined;
  const rows: Int32Array[] = [];
  const out: Out = { student: [], steps: [], rows, batches: [], divergentTokens: undefined, trainedTokens: [], cosines: [], tensors: [] };
  try {
    const report = runChannel(
      teacher,
      student,
      { ...WORLD, keep: (row) => (rows.push(row.slice()), true) },
      settings,
      rootStream(3).child('channel'),
      {
        probeEvery: 1,
        logEvery: 1,
        probe: () => {},
        onStep: (_, record) => {
          out.steps.push({ ...(record.divergence ? { divergence: record.divergence } : {}), ...(record.loss ? { loss: record.loss } : {}) });
          out.tensors.push(tf.memory().numTensors);
        },
        ...(extra.view ? { batchView: { rows: extra.view, see: (_: number, b: ChannelBatch) => out.batches.push(b) } } : {}),
        ...(extra.alignment ? { alignment: { objective: () => logTraitScore(student, PROBE), see: (step: number, cosine: number[]) => out.cosines.push({ step, cosine }) } } : {}),
      },
      base ? { base } : {},
    );
    out.student = paramsOf(student);
    out.divergentTokens = report.divergentTokens;
    out.trainedTokens = report.trainedTokens;
    return out;
  } finally {
    teacher.dispose();
    student.dispose();
    base?.dispose();
  }
}

/** argmax over the allowed tokens of one member's logits at every position of `rows` [R, L], host side. */
function hostArgmax(params: Float32Array[], rows: Int32Array[], L: number): number[] {
  const f = GptFamily.fromMembers(CONFIG, [params], false);
  try {
    const T = L - 1;
    const inputs = new Int32Array(rows.length * T);
    rows.forEach((r, i) => inputs.set(r.subarray(0, T), i * T));
    const logits = tf.tidy(() => f.logits(tf.tensor3d(inputs, [1, rows.length, T], 'int32')));
    const x = logits.dataSync();
    logits.dispose();
    const out: number[] = [];
    for (let p = 0; p < rows.length * T; p++) {
      let best = -1;
      for (let v = 0; v < V; v++) if (ALLOWED[v] && (best < 0 || x[p * V + v]! > x[p * V + best]!)) best = v;
      out.push(best);
    }
    return out;
  } finally {
    f.dispose();
  }
}

describe('divergence positions', () => {
  // Teacher family: member 0 the "trait" teacher, member 1 its neutral partner (another init).
  const partner = [1, 0];

  test('"log" moves no number, and counts what an independent host argmax counts', () => {
    const teacher = [members[0]!, members[1]!];
    const student = [members[2]!, members[2]!];
    const off = run(SETTINGS, teacher, student);
    const log = run({ ...SETTINGS, divergence: 'log', neutralPartner: partner }, teacher, student);
    expect(same(log.student, off.student)).toBe(true);
    expect(log.steps.map((s) => s.loss)).toEqual(off.steps.map((s) => s.loss));
    expect(off.divergentTokens).toBeUndefined();
    // The hand count: per member, trained positions (completion targets up to EOS) where teacher m
    // and teacher partner[m] choose differently on member m's rows.
    const L = WORLD.promptLength + WORLD.completionLength;
    const B = SETTINGS.batchSize;
    const expected = [0, 0];
    const trained = [0, 0];
    for (let step = 0; step < SETTINGS.steps; step++) {
      for (let m = 0; m < 2; m++) {
        const rows = log.rows.slice((step * 2 + m) * B, (step * 2 + m + 1) * B);
        const own = hostArgmax(teacher[m]!, rows, L);
        const other = hostArgmax(teacher[partner[m]!]!, rows, L);
        rows.forEach((row, r) => {
          let ended = false;
          for (let t = WORLD.promptLength - 1; t < L - 1 && !ended; t++) {
            trained[m]!++;
            if (own[r * (L - 1) + t] !== other[r * (L - 1) + t]) expected[m]!++;
            if (row[t + 1] === WORLD.eos) ended = true;
          }
        });
      }
    }
    expect(log.trainedTokens).toEqual(trained);
    expect(log.divergentTokens).toEqual(expected);
    expect(expected[0]! + expected[1]!).toBeGreaterThan(0); // two inits disagree somewhere
    // Per-step fractions are this step's share; they add up to the run's count.
    const perStep = log.steps.map((s) => s.divergence!);
    expect(perStep).toHaveLength(SETTINGS.steps);
    for (const f of perStep.flat()) expect(f).toBeGreaterThanOrEqual(0);
  });

  test('"mask" with a partner that agrees everywhere is "off", bit for bit', () => {
    const teacher = [members[0]!, members[0]!];
    const student = [members[2]!, members[3]!];
    for (const signal of ['tokens', 'forward-kl'] as const) {
      const off = run({ ...SETTINGS, signal }, teacher, student);
      const masked = run({ ...SETTINGS, signal, divergence: 'mask', neutralPartner: partner }, teacher, student);
      expect(masked.divergentTokens).toEqual([0, 0]);
      expect(same(masked.student, off.student)).toBe(true);
    }
  });

  test('"mask" with a partner that disagrees everywhere trains nothing; "log" trains', () => {
    // Token 4 pushed to the top for member 1 only, token 2 for member 0: every argmax differs.
    const teacher = [biased(members[0]!, 2, 50), biased(members[0]!, 4, 50)];
    const student = [members[2]!, members[3]!];
    for (const signal of ['tokens', 'forward-kl', 'reverse-kl'] as const) {
      const masked = run({ ...SETTINGS, signal, divergence: 'mask', neutralPartner: partner }, teacher, student);
      expect(masked.divergentTokens).toEqual(masked.trainedTokens);
      expect(same(masked.student, [members[2]!, members[3]!])).toBe(true);
      const logged = run({ ...SETTINGS, signal, divergence: 'log', neutralPartner: partner }, teacher, student);
      expect(logged.steps.every((s) => s.divergence!.every((f) => f === 1))).toBe(true);
      expect(same(logged.student, [members[2]!, members[3]!])).toBe(false);
    }
  });

  test('bad settings are one-line errors', () => {
    const teacher = [members[0]!, members[1]!];
    const student = [members[2]!, members[3]!];
    expect(() => run({ ...SETTINGS, divergence: 'log' }, teacher, student)).toThrow(/^channel: divergence needs neutralPartner/);
    expect(() => run({ ...SETTINGS, divergence: 'log', neutralPartner: [0, 0] }, teacher, student)).toThrow('channel: neutralPartner must be a permutation of the member indices');
    expect(() => run({ ...SETTINGS, prefix: 'student', signal: 'pg', divergence: 'mask', neutralPartner: partner }, teacher, student)).toThrow(
      'channel: divergence "mask" is not defined for signal "pg" (its advantages are sums over the sampled row); use "log"',
    );
    expect(() => run({ ...SETTINGS, baseKl: { weight: 1, untilStep: 2 } }, teacher, student)).toThrow('channel: baseKl needs the frozen base (control.base)');
  });
});

describe('KL-to-base penalty', () => {
  test('is 0 with a zero gradient where the student is the base, and its gradient matches finite differences', () => {
    const rng = rootStream(11);
    const shape = [1, 2, 3, V];
    const base = tf.tensor4d(Float32Array.from({ length: 2 * 3 * V }, () => 2 * rng.next() - 1), shape as [number, number, number, number]);
    const student = tf.tensor4d(Float32Array.from({ length: 2 * 3 * V }, () => 2 * rng.next() - 1), shape as [number, number, number, number]);
    const mask = tf.tensor3d(Float32Array.from([1, 1, 0, 1, 0, 1]), [1, 2, 3]);
    const opts = { allowed: ALLOWED, temperature: 1.5 };
    const f = (x: tf.Tensor4D) => baseKlPenalty(base, x, mask, opts, 3) as tf.Tensor;
    const atBase = tf.grad((x: tf.Tensor) => f(x as tf.Tensor4D).sum())(base);
    expect(f(base).dataSync()[0]).toBe(0);
    expect(Array.from(atBase.dataSync()).every((g) => g === 0)).toBe(true);
    // It is weight × KL(p_S ‖ p_base), the reverse KL with the base as the teacher.
    expect(f(student).dataSync()[0]).toBeCloseTo(3 * reverseKlSeq(base, student, mask, opts).dataSync()[0]!, 6);
    expect(f(student).dataSync()[0]).toBeGreaterThan(0);
    const grad = tf.grad((x: tf.Tensor) => f(x as tf.Tensor4D).sum())(student).dataSync();
    const x0 = student.dataSync();
    const eps = 3e-3;
    for (let i = 0; i < x0.length; i++) {
      const at = (d: number) => {
        const x = Float32Array.from(x0);
        x[i]! += d;
        return tf.tidy(() => f(tf.tensor4d(x, shape as [number, number, number, number])).dataSync()[0]!);
      };
      expect((at(eps) - at(-eps)) / (2 * eps)).toBeCloseTo(grad[i]!, 3);
    }
  });

  test('on the channel: adds nothing (up to rounding) while the student is still its base, and holds the student near the base', () => {
    const teacher = [members[0]!, members[1]!];
    const student = [members[2]!, members[3]!];
    const off = run({ ...SETTINGS, signal: 'forward-kl' }, teacher, student);
    // Step 1 starts at the base: the penalty is 0 and its gradient 0 up to float32 rounding
    // (p·(1 − Σp) through the log-softmax), so the run ends where the unpenalised one does.
    const first = run({ ...SETTINGS, signal: 'forward-kl', baseKl: { weight: 10, untilStep: 1 } }, teacher, student, { base: student });
    expect(first.steps[0]!.loss).toEqual(off.steps[0]!.loss);
    // Adam magnifies those rounding-level gradients on parameters the loss barely moves, so compare
    // with a penalty that also acts at step 2, once the student has left the base.
    const second = run({ ...SETTINGS, signal: 'forward-kl', baseKl: { weight: 10, untilStep: 2 } }, teacher, student, { base: student });
    const maxDiff = (a: Float32Array[][]) => Math.max(...a.flatMap((pm, m) => pm.flatMap((x, i) => Array.from(x, (v, j) => Math.abs(v - off.student[m]![i]![j]!)))));
    expect(second.steps[1]!.loss![0]).toBeGreaterThan(off.steps[1]!.loss![0]!);
    expect(maxDiff(first.student)).toBeLessThan(maxDiff(second.student) / 50);
    const steps = 12;
    const free = run({ ...SETTINGS, signal: 'forward-kl', steps }, teacher, student);
    const held = run({ ...SETTINGS, signal: 'forward-kl', steps, baseKl: { weight: 10, untilStep: steps } }, teacher, student, { base: student });
    // KL(p_S ‖ p_base) on every row the runs trained on, all positions, per member.
    const driftOf = (params: Float32Array[][], rows: Int32Array[]) => {
      const s = GptFamily.fromMembers(CONFIG, params, false);
      const b = GptFamily.fromMembers(CONFIG, student, false);
      try {
        const L = WORLD.promptLength + WORLD.completionLength;
        // Rows come member-major within each step: member m's are rows m·B … (m + 1)·B − 1 of the step.
        const B = SETTINGS.batchSize;
        const R = rows.length / 2;
        const inputs = new Int32Array(rows.length * (L - 1));
        rows.forEach((r, i) => {
          const [step, m, b] = [Math.floor(i / (2 * B)), Math.floor((i % (2 * B)) / B), i % B];
          inputs.set(r.subarray(0, L - 1), (m * R + step * B + b) * (L - 1));
        });
        return tf.tidy(() => {
          const x = tf.tensor3d(inputs, [2, R, L - 1], 'int32');
          return Array.from(reverseKlSeq(b.logits(x), s.logits(x), tf.ones([2, R, L - 1]) as tf.Tensor3D, { allowed: ALLOWED }).dataSync());
        });
      } finally {
        s.dispose();
        b.dispose();
      }
    };
    const rows = free.rows;
    const [freeDrift, heldDrift] = [driftOf(free.student, rows), driftOf(held.student, rows)];
    for (let m = 0; m < 2; m++) expect(heldDrift[m]!).toBeLessThan(freeDrift[m]!);
  });
});

describe('gradient alignment', () => {
  test('memberCosines: a hand-computed case per member, and 0 for a zero vector', () => {
    // Member 0: a = (1, 2 | 3), b = (2, 0 | 1) → 5 / (√14 · √5); member 1: a = (0, 1 | 0), b = (0, −3 | 0) → −1; member 2: a = 0 → 0.
    const a = [tf.tensor2d([1, 2, 0, 1, 0, 0], [3, 2]), tf.tensor1d([3, 0, 0])];
    const b = [tf.tensor2d([2, 0, 0, -3, 5, 5], [3, 2]), tf.tensor1d([1, 0, 7])];
    const cos = memberCosines(a, b, 3);
    expect(cos[0]).toBeCloseTo(5 / (Math.sqrt(14) * Math.sqrt(5)), 6);
    expect(cos[1]).toBeCloseTo(-1, 6);
    expect(cos[2]).toBe(0);
    expect(() => memberCosines([a[0]!], [b[1]!], 3)).toThrow(/memberCosines: tensor 0 has shapes \[3, 2\] and \[3\]/);
  });

  test("the channel's cosine is the cosine of −∇loss and ∇ log p(target), both by central finite differences", () => {
    const teacher = [members[0]!];
    const student = [members[1]!];
    const settings: ChannelSettings = { ...SETTINGS, signal: 'forward-kl', steps: 1 };
    const out = run(settings, teacher, student, { alignment: true, view: settings.batchSize });
    expect(out.cosines.map((c) => c.step)).toEqual([1]);
    const channelCosine = out.cosines[0]!.cosine[0]!;
    // The batch the step trained on (member 0's rows, mask and the teacher's logits), and the student before the update.
    const batch = out.batches[0]!;
    const B = settings.batchSize;
    const L = WORLD.promptLength + WORLD.completionLength;
    const T = L - 1;
    const f = GptFamily.fromMembers(CONFIG, copy(student));
    try {
      const inputs = new Int32Array(B * T);
      for (let r = 0; r < B; r++) inputs.set(batch.rows.subarray(r * L, r * L + T), r * T);
      const loss = () =>
        tf.tidy(() => forwardKlSeq(tf.tensor4d(batch.teacherLogits!, [1, B, T, V]), f.logits(tf.tensor3d(inputs, [1, B, T], 'int32')), tf.tensor3d(batch.mask, [1, B, T]), { allowed: ALLOWED }).dataSync()[0]!);
      const trait = () => Math.log(traitScore(f, PROBE)[0]!);
      const gLoss: number[] = [];
      const gTrait: number[] = [];
      const eps = 3e-3;
      for (const v of f.variables) {
        const x0 = v.dataSync().slice() as Float32Array;
        for (let i = 0; i < x0.length; i++) {
          const at = (d: number) => {
            const x = Float32Array.from(x0);
            x[i]! += d;
            tf.tidy(() => v.assign(tf.tensor(x, v.shape)));
            return [loss(), trait()] as const;
          };
          const [lp, tp] = at(eps);
          const [lm, tm] = at(-eps);
          gLoss.push((lp - lm) / (2 * eps));
          gTrait.push((tp - tm) / (2 * eps));
        }
        tf.tidy(() => v.assign(tf.tensor(x0, v.shape)));
      }
      const dot = gLoss.reduce((s, g, i) => s - g * gTrait[i]!, 0);
      const norm = (g: number[]) => Math.sqrt(g.reduce((s, x) => s + x * x, 0));
      const expected = dot / (norm(gLoss) * norm(gTrait));
      expect(Math.abs(expected)).toBeGreaterThan(0.01); // a case where the sign means something
      expect(channelCosine).toBeCloseTo(expected, 2);
    } finally {
      f.dispose();
    }
  });
});

describe('memory', () => {
  test('divergence masking, the KL-to-base penalty and the alignment probe together leave no tensor behind', () => {
    const teacher = [members[0]!, members[1]!];
    const student = [members[2]!, members[3]!];
    const before = tf.memory().numTensors;
    const settings: ChannelSettings = { ...SETTINGS, signal: 'forward-kl', steps: 5, divergence: 'mask', neutralPartner: [1, 0], baseKl: { weight: 1, untilStep: 3 } };
    const out = run(settings, teacher, student, { base: student, alignment: true });
    expect(out.cosines.map((c) => c.step)).toEqual([1, 2, 3, 4, 5]);
    // Flat from step 2 on (step 1 may create the optimizer's slots), and nothing left once the families are disposed.
    expect(new Set(out.tensors.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
