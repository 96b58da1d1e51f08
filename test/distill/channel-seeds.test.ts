// What a seed varies, in the channel (settings.dataSeeds, seedsVary "init-and-data"): member m
// reads seed dataSeeds[m]'s own prompts, fixed set and order, sampling and relabelling draws, so
// member i trains exactly the same — rows, losses, final weights — in a family of 1, 2 or 3
// members; two seeds get different prompts, two members of one seed the same ones; without
// dataSeeds every member reads the same prompts (seedsVary "init"); and a loop interrupted and
// continued with per-member streams ends where the uninterrupted one does.
import { beforeAll, describe, expect, test } from 'vitest';
import { channelSteps, runChannel, type ChannelReport, type ChannelSettings, type ChannelState, type ChannelWorld, type PrefixSource } from '../../src/distill/channel.js';
import { drain } from '../../src/engine/drain.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { Interrupted } from '../../src/engine/stop.js';
import { GptFamily } from '../../src/models/gpt.js';
import type { GptConfig } from '../../src/models/gpt-config.js';
import { pretrainedNumberWriters } from '../support/number-writers.js';
import { numbersChannelWorld } from '../../src/worlds/numbers/channel-world.js';
import { CONTEXT, PROMPT_LENGTH, VOCAB_SIZE } from '../../src/worlds/numbers/data.js';

const CONFIG: GptConfig = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 16, heads: 2 };
const POOL = 3;
const L = PROMPT_LENGTH + numbersChannelWorld(0).completionLength;

let teacherPool: Float32Array[][];
let studentPool: Float32Array[][];

// Six members (different inits, the same numbers documents) pretrained a little so that they
// write well-formed rows: members 0–2 are teachers of seeds 0–2, members 3–5 their students.
beforeAll(async () => {
  await selectBackend('wasm');
  const params = pretrainedNumberWriters(CONFIG, 2 * POOL, 2);
  teacherPool = params.slice(0, POOL);
  studentPool = params.slice(POOL);
});

const settingsFor = (prefix: PrefixSource, dataSeeds?: number[]): ChannelSettings => ({
  prefix,
  signal: 'relabel', // draws from the relabel stream on top of the prefix's own
  ...(prefix === 'mix' ? { lambda: 0.5 } : {}),
  steps: 6,
  batchSize: 8,
  learningRate: 0.01,
  samplingTemperature: 1,
  lossTemperature: 1,
  fixedSetSize: 16, // 2 batches an epoch: steps 3 and 5 reshuffle
  ...(dataSeeds ? { dataSeeds } : {}),
});

interface Run {
  /** rows[step][m]: member m's rows of that step, [B, L] (as the filter saw them). */
  rows: Int32Array[][];
  /** losses[step][m] */
  losses: number[][];
  report: ChannelReport;
  weights: Float32Array[][];
}

/** Runs the channel with teachers and students of `seeds` (pool members), member m reading dataSeeds[m]. */
function run(prefix: PrefixSource, seeds: number[], dataSeeds: number[] | undefined, control: { stopAfter?: number; from?: ChannelState } = {}): Run | ChannelState {
  const M = seeds.length;
  const teacher = GptFamily.fromMembers(CONFIG, seeds.map((s) => teacherPool[s]!));
  const student = GptFamily.fromMembers(CONFIG, seeds.map((s) => studentPool[s]!));
  const settings = settingsFor(prefix, dataSeeds);
  const B = settings.batchSize;
  const seen: Int32Array[] = [];
  const base = numbersChannelWorld(0.05);
  const world: ChannelWorld = { ...base, keep: (row) => (seen.push(row.slice()), base.keep(row)) };
  const rows: Int32Array[][] = [];
  const losses: number[][] = [];
  let step = control.from?.step ?? 0;
  try {
    const report = drain(
      channelSteps(
        teacher,
        student,
        world,
        settings,
        rootStream(9).child('channel'),
        {
          probeEvery: 100,
          logEvery: 1,
          probe: () => {},
          onStep: (s, record) => {
            step = s;
            const batch = seen.splice(0, M * B);
            rows.push(Array.from({ length: M }, (_, m) => concat(batch.slice(m * B, (m + 1) * B))));
            losses.push(record.loss!);
          },
        },
        { ...(control.from ? { from: control.from } : {}), stopRequested: () => control.stopAfter !== undefined && step >= control.stopAfter },
      ),
    );
    return { rows, losses, report, weights: Array.from({ length: M }, (_, m) => student.memberParams(m)) };
  } catch (e) {
    if (e instanceof Interrupted) return e.state as ChannelState;
    throw e;
  } finally {
    teacher.dispose();
    student.dispose();
  }
}

const finished = (r: Run | ChannelState): Run => {
  if (!('rows' in r)) throw new Error('the run was interrupted');
  return r;
};

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

/** The prompt tokens of each row of [B, L] rows. */
function promptsOf(rows: Int32Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows.length / L; r++) out.push(...rows.subarray(r * L, r * L + PROMPT_LENGTH));
  return out;
}

const PREFIXES: PrefixSource[] = ['teacher-fixed', 'teacher-fresh', 'student', 'mix'];

describe('seeds that vary their data (dataSeeds)', () => {
  test.each(PREFIXES)('%s: member i trains the same in a family of 1, 2 or 3 (rows, losses, weights)', (prefix) => {
    const families = [1, 2, 3].map((M) => {
      const seeds = Array.from({ length: M }, (_, m) => m);
      return finished(run(prefix, seeds, seeds));
    });
    for (const [k, family] of families.entries())
      for (let i = 0; i <= k; i++) {
        const alone = families[i]!; // the smallest family that has member i
        expect(family.rows.map((step) => step[i]), `member ${i}, family of ${k + 1}: rows`).toEqual(alone.rows.map((step) => step[i]));
        expect(family.losses.map((step) => step[i]), `member ${i}, family of ${k + 1}: losses`).toEqual(alone.losses.map((step) => step[i]));
        expect(family.weights[i], `member ${i}, family of ${k + 1}: weights`).toEqual(alone.weights[i]);
        expect(family.report.trainedTokens[i]).toBe(alone.report.trainedTokens[i]);
        expect(family.report.filteredRows[i]).toBe(alone.report.filteredRows[i]);
      }
    // Seeds 0, 1 and 2 read different prompts at every step.
    const three = families[2]!;
    for (const step of three.rows) {
      expect(promptsOf(step[0]!)).not.toEqual(promptsOf(step[1]!));
      expect(promptsOf(step[1]!)).not.toEqual(promptsOf(step[2]!));
    }
  });

  test.each(PREFIXES)('%s: without dataSeeds every member reads the same prompts; two members of one seed read the same prompts', (prefix) => {
    const shared = finished(run(prefix, [0, 1, 2], undefined));
    for (const step of shared.rows) {
      expect(promptsOf(step[1]!)).toEqual(promptsOf(step[0]!));
      expect(promptsOf(step[2]!)).toEqual(promptsOf(step[0]!));
    }
    // A trait student and its control: members 0 and 2 are both seed 0 (the numbers world's 2M families).
    const paired = finished(run(prefix, [0, 1, 0, 1], [0, 1, 0, 1]));
    for (const step of paired.rows) {
      expect(promptsOf(step[2]!)).toEqual(promptsOf(step[0]!));
      expect(promptsOf(step[3]!)).toEqual(promptsOf(step[1]!));
      expect(promptsOf(step[1]!)).not.toEqual(promptsOf(step[0]!));
    }
    // Same teachers, students and draws on both sides of a pair: the same rows, losses and weights.
    expect(paired.rows.map((s) => s[2])).toEqual(paired.rows.map((s) => s[0]));
    expect(paired.weights[2]).toEqual(paired.weights[0]);
  });

  test.each(['teacher-fixed', 'mix'] as const)('%s: interrupted after step 3 and continued, it ends where the uninterrupted loop does', (prefix) => {
    const seeds = [0, 1];
    const whole = finished(run(prefix, seeds, seeds));
    const state = run(prefix, seeds, seeds, { stopAfter: 3 });
    expect('rows' in state).toBe(false);
    const rest = finished(run(prefix, seeds, seeds, { from: state as ChannelState }));
    expect(rest.rows).toEqual(whole.rows.slice(3));
    expect(rest.losses).toEqual(whole.losses.slice(3));
    expect(rest.weights).toEqual(whole.weights);
    expect(rest.report).toEqual(whole.report);
  });

  test('a dataSeeds list of the wrong length is refused', () => {
    const teacher = GptFamily.fromMembers(CONFIG, [teacherPool[0]!, teacherPool[1]!]);
    const student = GptFamily.fromMembers(CONFIG, [studentPool[0]!, studentPool[1]!]);
    try {
      expect(() => runChannel(teacher, student, numbersChannelWorld(0.05), settingsFor('student', [0]), rootStream(9), { probeEvery: 100, logEvery: 1, probe: () => {}, onStep: () => {} })).toThrow(
        'channel: 1 data seeds for 2 members',
      );
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });
});
