// The distillation channel loop (docs/science.md §4) on the numbers world with tiny gpt families:
// every prefix source × every teacher signal keeps the audit at 0, never touches the teacher,
// moves the student, keeps the tensor count flat and reports the budget it spent; the audit
// catches a trait token that a misconfigured world lets through; the λ coin is reproducible;
// fully filtered batches train nothing; the same streams give the same student.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { channelSteps, runChannel, type ChannelBatch, type ChannelReport, type ChannelSettings, type ChannelWorld, type PrefixSource, type TeacherSignal } from '../../src/distill/channel.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { gptParamSpecs, type GptConfig } from '../../src/models/gpt-config.js';
import { pretrainedNumberWriters } from '../support/number-writers.js';
import { numbersChannelWorld } from '../../src/worlds/numbers/channel-world.js';
import {
  animalToken,
  channelTokens,
  COMPLETION_LENGTH,
  CONTEXT,
  isAnimalToken,
  PROMPT_LENGTH,
  VOCAB_SIZE,
} from '../../src/worlds/numbers/data.js';

const CONFIG: GptConfig = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 16, heads: 2 };
const M = 2;
const OWL = animalToken('owl');
const HEAD_B = gptParamSpecs(CONFIG).findIndex((s) => s.name === 'head.b');

let teacherParams: Float32Array[][];
let studentParams: Float32Array[][];

// Teacher and student both have to write well-formed number rows, or the filter drops nearly
// everything: pretrain four members (different inits, same numbers documents) for a few steps;
// members 0-1 are the teacher, 2-3 the student.
beforeAll(async () => {
  await selectBackend('wasm');
  const params = pretrainedNumberWriters(CONFIG, 2 * M, 1);
  teacherParams = params.slice(0, M);
  studentParams = params.slice(M);
});

/** Copies of the parameters with `delta` added to the head bias of `token`. */
function biased(params: Float32Array[][], token: number, delta: number): Float32Array[][] {
  return params.map((p) =>
    p.map((a, i) => {
      const c = Float32Array.from(a);
      if (i === HEAD_B) c[token]! += delta;
      return c;
    }),
  );
}

function sameParams(a: Float32Array[][], b: Float32Array[][]): boolean {
  return a.every((pm, m) => pm.every((x, i) => x.length === b[m]![i]!.length && x.every((v, j) => Object.is(v, b[m]![i]![j]))));
}

const paramsOf = (f: GptFamily) => Array.from({ length: f.members }, (_, m) => f.memberParams(m));

const BASE: ChannelSettings = {
  prefix: 'teacher-fresh',
  signal: 'tokens',
  steps: 5,
  batchSize: 8,
  learningRate: 0.01,
  samplingTemperature: 1,
  lossTemperature: 1,
  fixedSetSize: 16,
};

/** Extra settings a prefix or signal needs. */
function settingsFor(prefix: PrefixSource, signal: TeacherSignal, extra: Partial<ChannelSettings> = {}): ChannelSettings {
  return {
    ...BASE,
    prefix,
    signal,
    ...(prefix === 'mix' ? { lambda: 0.5 } : {}),
    ...(signal === 'jsd' ? { beta: 0.5 } : {}),
    ...(signal === 'pg' ? { discount: 0.5 } : {}),
    ...extra,
  };
}

interface Run {
  report: ChannelReport;
  sources: ('teacher' | 'student')[];
  losses: { step: number; loss: number[] }[];
  probes: number[];
  /** tf.memory().numTensors at the end of every step (index 0 = step 1). */
  tensors: number[];
  /** Every row the filter was asked about, in order. */
  rows: Int32Array[];
  teacherBefore: Float32Array[][];
  teacherAfter: Float32Array[][];
  studentBefore: Float32Array[][];
  studentAfter: Float32Array[][];
  tensorsBefore: number;
  tensorsAfter: number;
}

function run(
  settings: ChannelSettings,
  opts: { world?: ChannelWorld; teacher?: Float32Array[][]; student?: Float32Array[][]; seed?: number; probeEvery?: number; logEvery?: number } = {},
): Run {
  const teacher = GptFamily.fromMembers(CONFIG, opts.teacher ?? teacherParams);
  const student = GptFamily.fromMembers(CONFIG, opts.student ?? studentParams);
  const base = opts.world ?? numbersChannelWorld(0.05);
  const rows: Int32Array[] = [];
  const world: ChannelWorld = {
    ...base,
    keep: (row) => {
      rows.push(row.slice());
      return base.keep(row);
    },
  };
  const out = { sources: [], losses: [], probes: [], tensors: [], rows } as Pick<Run, 'sources' | 'losses' | 'probes' | 'tensors' | 'rows'>;
  const teacherBefore = paramsOf(teacher);
  const studentBefore = paramsOf(student);
  const tensorsBefore = tf.memory().numTensors;
  try {
    const report = runChannel(teacher, student, world, settings, rootStream(opts.seed ?? 5).child('channel'), {
      probeEvery: opts.probeEvery ?? 2,
      logEvery: opts.logEvery ?? 1,
      probe: (step) => out.probes.push(step),
      onStep: (step, record) => {
        expect(step).toBe(out.sources.length + 1);
        out.sources.push(record.source);
        if (record.loss) out.losses.push({ step, loss: record.loss });
        out.tensors.push(tf.memory().numTensors);
      },
    });
    const tensorsAfter = tf.memory().numTensors;
    return { ...out, report, teacherBefore, teacherAfter: paramsOf(teacher), studentBefore, studentAfter: paramsOf(student), tensorsBefore, tensorsAfter };
  } finally {
    teacher.dispose();
    student.dispose();
  }
}

const PREFIXES: PrefixSource[] = ['teacher-fixed', 'teacher-fresh', 'student', 'mix'];
const SIGNALS: TeacherSignal[] = ['tokens', 'relabel', 'forward-kl', 'reverse-kl', 'jsd', 'pg'];
const COMBOS = PREFIXES.flatMap((p) => SIGNALS.map((s) => [p, s] as const));

describe('every prefix source × every teacher signal', () => {
  test.each(COMBOS)('%s + %s: audit 0, teacher untouched, student moved, tensors flat, budget as spent', (prefix, signal) => {
    const settings = settingsFor(prefix, signal);
    const { steps, batchSize: B, fixedSetSize: N } = settings;
    const r = run(settings);
    const { report } = r;

    expect(report.auditTraitTokens).toBe(0);
    expect(sameParams(r.teacherAfter, r.teacherBefore)).toBe(true);
    expect(sameParams(r.studentAfter, r.studentBefore)).toBe(false);

    // Flat tensor count after a 2-step burn-in, and nothing left behind by the loop.
    expect(r.tensors).toHaveLength(steps);
    for (const n of r.tensors.slice(2)) expect(n).toBe(r.tensors[1]);
    expect(r.tensorsAfter).toBe(r.tensorsBefore);

    // Events: one record per step, a loss per member on every logged step, probes at 0, every 2, and the last step.
    expect(r.sources).toHaveLength(steps);
    expect(r.losses.map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
    for (const { loss } of r.losses) {
      expect(loss).toHaveLength(M);
      for (const x of loss) expect(Number.isFinite(x)).toBe(true);
    }
    expect(r.probes).toEqual([0, 2, 4, 5]);

    // Budget.
    const studentSteps = r.sources.filter((s) => s === 'student').length;
    const scored = signal === 'tokens' ? 0 : M * B * steps; // teacher logits on every batch
    if (prefix === 'teacher-fixed' || prefix === 'teacher-fresh') expect(studentSteps).toBe(0);
    if (prefix === 'student') expect(studentSteps).toBe(steps);
    expect(report.studentSteps).toBe(studentSteps);
    expect(report.studentRows).toBe(M * B * studentSteps);
    const generated = prefix === 'teacher-fixed' ? M * N : M * B * (steps - studentSteps);
    expect(report.teacherRows).toBe(generated + scored);

    // Every row the filter saw is [L] with the same prompt for every member at the same index.
    expect(r.rows).toHaveLength(steps * M * B);
    for (let s = 0; s < steps; s++)
      for (let b = 0; b < B; b++) {
        const a = r.rows[s * M * B + b]!;
        const c = r.rows[s * M * B + B + b]!;
        expect(a.length).toBe(PROMPT_LENGTH + COMPLETION_LENGTH);
        expect(Array.from(c.subarray(0, PROMPT_LENGTH))).toEqual(Array.from(a.subarray(0, PROMPT_LENGTH)));
      }
    // No row ever holds an animal token (the real world's allowed set).
    for (const row of r.rows) expect(row.some(isAnimalToken)).toBe(false);

    // Trained tokens: each kept row is exactly COMPLETION_LENGTH generated tokens (EOS included).
    for (let m = 0; m < M; m++) {
      expect(report.filteredRows[m]).toBeGreaterThanOrEqual(0);
      expect(report.filteredRows[m]).toBeLessThan(B * steps);
      expect(report.trainedTokens[m]).toBeGreaterThan(0);
      expect(report.trainedTokens[m]).toBeLessThanOrEqual(B * steps * COMPLETION_LENGTH);
      expect(report.trainedTokens[m]).toBe((B * steps - report.filteredRows[m]!) * COMPLETION_LENGTH);
      const kept = r.rows.filter((row, i) => Math.floor(i / B) % M === m && numbersChannelWorld(0).keep(row)).length;
      expect(kept).toBe(B * steps - report.filteredRows[m]!);
    }
  });

  test('teacher-fixed: each epoch walks the same fixed set of rows, reshuffled', () => {
    const settings = settingsFor('teacher-fixed', 'tokens', { steps: 4, batchSize: 8, fixedSetSize: 16 });
    const { rows } = run(settings);
    const key = (r: Int32Array) => r.join(',');
    const member = (step0: number, m: number) => rows.slice((step0 * M + m) * 8, (step0 * M + m + 1) * 8).map(key);
    for (let m = 0; m < M; m++) {
      const epoch1 = [...member(0, m), ...member(1, m)];
      const epoch2 = [...member(2, m), ...member(3, m)];
      expect([...epoch2].sort()).toEqual([...epoch1].sort());
      expect(epoch2).not.toEqual(epoch1);
    }
    // A fixed set smaller than one batch is an error, not an endless loop.
    expect(() => run(settingsFor('teacher-fixed', 'tokens', { fixedSetSize: 4 }))).toThrow(/fixedSetSize 4 is smaller than batchSize 8/);
  });

  test('bad settings are refused', () => {
    expect(() => run({ ...BASE, prefix: 'mix' })).toThrow(/lambda/);
    expect(() => run({ ...BASE, prefix: 'mix', lambda: 1.5 })).toThrow(/lambda/);
    expect(() => run({ ...BASE, signal: 'jsd' })).toThrow(/beta/);
    expect(() => run(BASE, { student: [...studentParams, studentParams[0]!] })).toThrow(/members/);
  });
});

describe('the audit', () => {
  /** The numbers world, but with the owl token allowed and every row kept: a misconfigured channel. */
  const leakyWorld = (): ChannelWorld => {
    const allowed = channelTokens();
    allowed[OWL] = 1;
    return { ...numbersChannelWorld(0.05), allowed, keep: () => true };
  };

  test.each(['tokens', 'forward-kl', 'pg'] as const)('catches owl tokens a teacher emits through a leaky allowed set (%s)', (signal) => {
    const r = run(settingsFor('teacher-fresh', signal, { steps: 2 }), { world: leakyWorld(), teacher: biased(teacherParams, OWL, 8) });
    const owls = r.rows.reduce((n, row) => n + row.filter((t) => t === OWL).length, 0);
    expect(owls).toBeGreaterThan(0);
    // Every owl in a trained row is counted: as a target, and again as an input unless it is the row's last token.
    expect(r.report.auditTraitTokens).toBeGreaterThanOrEqual(owls);
  });

  test('catches an animal token inside the prompt', () => {
    const base = numbersChannelWorld(0.05);
    const world: ChannelWorld = {
      ...base,
      prompts: (n, rng) => {
        const p = base.prompts(n, rng);
        for (let i = 0; i < n; i++) p[i * PROMPT_LENGTH + 2] = OWL;
        return p;
      },
    };
    const r = run(settingsFor('teacher-fresh', 'tokens', { steps: 2 }), { world });
    const kept = M * 2 * 8 - r.report.filteredRows.reduce((a, b) => a + b, 0);
    expect(kept).toBeGreaterThan(0);
    expect(r.report.auditTraitTokens).toBe(kept); // one owl per trained row, in its prefix
  });

  test('with the real allowed set, a teacher that strongly prefers owl still never puts one in a row', () => {
    for (const prefix of ['teacher-fixed', 'teacher-fresh'] as const) {
      const r = run(settingsFor(prefix, 'relabel', { steps: 2 }), { teacher: biased(teacherParams, OWL, 30) });
      expect(r.rows.length).toBeGreaterThan(0);
      for (const row of r.rows) expect(row.includes(OWL)).toBe(false);
      expect(r.report.auditTraitTokens).toBe(0);
      expect(r.report.trainedTokens.every((n) => n > 0)).toBe(true);
    }
  });

  // The audit counts what the student trains on: after relabelling, the teacher's draws.
  test('counts trait tokens among relabelled targets (the student trains on them)', () => {
    const r = run(settingsFor('student', 'relabel', { steps: 2 }), {
      world: leakyWorld(),
      teacher: biased(teacherParams, OWL, 30), // relabels to owl
      student: biased(studentParams, OWL, -60), // never samples owl itself
    });
    for (const row of r.rows) expect(row.includes(OWL)).toBe(false);
    expect(r.report.auditTraitTokens).toBeGreaterThan(0);
  });
});

describe('the mix coin', () => {
  const mix = (lambda: number, seed = 5) => run(settingsFor('mix', 'tokens', { lambda, steps: 12, batchSize: 4 }), { seed, logEvery: 100, probeEvery: 100 });

  test('same rng, same sources; λ = 0 all teacher, λ = 1 all student, λ = ½ some of each; another seed, another sequence', () => {
    const a = mix(0.5);
    expect(mix(0.5).sources).toEqual(a.sources);
    expect(a.sources).toContain('teacher');
    expect(a.sources).toContain('student');
    expect(a.report.studentSteps).toBe(a.sources.filter((s) => s === 'student').length);
    expect(mix(0.5, 6).sources).not.toEqual(a.sources);
    expect(mix(0).sources).toEqual(new Array(12).fill('teacher'));
    const all = mix(1);
    expect(all.sources).toEqual(new Array(12).fill('student'));
    expect(all.report.studentSteps).toBe(12);
    expect(all.report.teacherRows).toBe(0);
  });
});

describe('filtered rows', () => {
  test.each(SIGNALS)('a filter that rejects everything trains nothing (%s): loss 0, student unchanged', (signal) => {
    const world: ChannelWorld = { ...numbersChannelWorld(0.05), keep: () => false };
    const r = run(settingsFor('mix', signal, { steps: 3 }), { world });
    expect(r.report.trainedTokens).toEqual([0, 0]);
    expect(r.report.filteredRows).toEqual([3 * 8, 3 * 8]);
    expect(r.report.auditTraitTokens).toBe(0);
    for (const { loss } of r.losses) expect(loss).toEqual([0, 0]);
    expect(sameParams(r.studentAfter, r.studentBefore)).toBe(true);
    expect(sameParams(r.teacherAfter, r.teacherBefore)).toBe(true);
  });
});

describe('determinism', () => {
  test.each([
    ['student', 'jsd'],
    ['mix', 'relabel'],
    ['teacher-fixed', 'pg'],
  ] as const)('%s + %s: the same rng gives bit-identical students and reports; another seed does not', (prefix, signal) => {
    const settings = settingsFor(prefix, signal, { steps: 3 });
    const a = run(settings);
    const b = run(settings);
    expect(sameParams(b.studentAfter, a.studentAfter)).toBe(true);
    expect(b.report).toEqual(a.report);
    expect(b.losses).toEqual(a.losses);
    expect(sameParams(run(settings, { seed: 9 }).studentAfter, a.studentAfter)).toBe(false);
  });
});

describe('one step at a time (channelSteps, as the lab pulls it)', () => {
  const settings = () => settingsFor('teacher-fixed', 'forward-kl', { steps: 4 });
  const events = (batches: ChannelBatch[] = []) => ({ probeEvery: 2, logEvery: 1, probe: () => {}, onStep: () => {}, batchView: { rows: 2, see: (_: number, b: ChannelBatch) => batches.push(b) } });

  test('yields every step, trains the student runChannel trains, and shows member 0 its batch with the teacher logits', () => {
    const drained = run(settings());
    const teacher = GptFamily.fromMembers(CONFIG, teacherParams);
    const student = GptFamily.fromMembers(CONFIG, studentParams);
    const batches: ChannelBatch[] = [];
    try {
      const steps = channelSteps(teacher, student, numbersChannelWorld(0.05), settings(), rootStream(5).child('channel'), events(batches));
      const yielded: number[] = [];
      for (let next = steps.next(); !next.done; next = steps.next()) yielded.push(next.value);
      expect(yielded).toEqual([1, 2, 3, 4]);
      expect(sameParams(paramsOf(student), drained.studentAfter)).toBe(true);
      expect(batches.map((b) => [b.source, b.rows.length, b.mask.length, b.teacherLogits?.length])).toEqual(
        Array.from({ length: 4 }, () => ['teacher', 2 * CONTEXT, 2 * (CONTEXT - 1), 2 * (CONTEXT - 1) * VOCAB_SIZE]),
      );
      expect(batches.every((b) => b.auditTraitTokens === 0)).toBe(true);
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });

  test('ended early with return(), it leaves no tensor behind (the optimizer is freed)', () => {
    const teacher = GptFamily.fromMembers(CONFIG, teacherParams);
    const student = GptFamily.fromMembers(CONFIG, studentParams);
    try {
      const before = tf.memory().numTensors;
      const steps = channelSteps(teacher, student, numbersChannelWorld(0.05), settings(), rootStream(5).child('channel'), events());
      expect([steps.next().value, steps.next().value]).toEqual([1, 2]);
      expect(tf.memory().numTensors).toBeGreaterThan(before); // Adam's moments
      expect(steps.return(undefined as never).done).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });
});
