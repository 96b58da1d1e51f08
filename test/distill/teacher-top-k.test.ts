// A teacher truncated to its top k allowed tokens (channel.teacherTopK, forward KL only), as
// top-k log-probabilities from an API give it: the truncation keeps exactly the k largest
// allowed logits (ties kept), the forward KL then renormalises over them (checked against a hand
// computation), k = every allowed token changes no bit of a run, and the files that cannot use
// it are refused in one line.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { channelLabel } from '../../src/distill/channel-label.js';
import { runChannel, type ChannelSettings } from '../../src/distill/channel.js';
import { DISALLOWED_LOGIT, topKLogits } from '../../src/distill/masking.js';
import { forwardKlSeq } from '../../src/distill/sequence-losses.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { numbersChannelWorld } from '../../src/worlds/numbers/channel-world.js';
import { CONTEXT, VOCAB_SIZE } from '../../src/worlds/numbers/data.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { problem } from '../support/problem.js';
import { tinyPersonaFile } from '../support/tiny-numbers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('topKLogits', () => {
  // V = 6, tokens 0 and 5 disallowed; the allowed logits 3, 1, 2, 1 (tokens 1–4).
  const allowed = Uint8Array.from([0, 1, 1, 1, 1, 0]);
  const logits = [9, 3, 1, 2, 1, 8];
  const truncated = (k: number) => Array.from(tf.tidy(() => topKLogits(tf.tensor2d([logits], [1, 6]), allowed, k).dataSync()));

  test('keeps the k largest allowed logits and sets the rest (disallowed ones included) to −1e9', () => {
    const D = DISALLOWED_LOGIT;
    expect(truncated(1)).toEqual([D, 3, D, D, D, D]);
    expect(truncated(2)).toEqual([D, 3, D, 2, D, D]);
    // A tie at the k-th value keeps every tied token: 3 of them at k = 3.
    expect(truncated(3)).toEqual([D, 3, 1, 2, 1, D]);
    expect(truncated(4)).toEqual([D, 3, 1, 2, 1, D]);
  });

  test('k outside 1 … the allowed count is an error naming the range', () => {
    expect(() => truncated(0)).toThrow('top-k must be an integer in 1..4 (the allowed tokens), got 0');
    expect(() => truncated(5)).toThrow('top-k must be an integer in 1..4 (the allowed tokens), got 5');
  });

  test('forward KL against the truncated teacher renormalises over its top k (hand-computed)', () => {
    // One member, one row, one trained position. Teacher top 2 of the allowed: tokens 1 and 3.
    const teacher = tf.tensor4d(logits, [1, 1, 1, 6]);
    const studentLogits = [0, 0.5, -1, 0.25, 2, 7];
    const student = tf.tensor4d(studentLogits, [1, 1, 1, 6]);
    const mask = tf.ones([1, 1, 1]) as tf.Tensor3D;
    const kl = tf.tidy(() => forwardKlSeq(topKLogits(teacher, allowed, 2), student, mask, { allowed }).dataSync()[0]!);
    const pt = [Math.exp(3), Math.exp(2)].map((e, _, a) => e / (a[0]! + a[1]!)); // tokens 1, 3
    const zs = [0.5, -1, 0.25, 2].reduce((s, x) => s + Math.exp(x), 0); // the student over tokens 1–4
    const logPs = [Math.log(Math.exp(0.5) / zs), Math.log(Math.exp(0.25) / zs)];
    const expected = pt[0]! * (Math.log(pt[0]!) - logPs[0]!) + pt[1]! * (Math.log(pt[1]!) - logPs[1]!);
    expect(kl).toBeCloseTo(expected, 5);
    tf.dispose([teacher, student, mask]);
  });
});

describe('a channel with a truncated teacher', () => {
  const CONFIG = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 16, heads: 2 };
  const world = { ...numbersChannelWorld(0.05), keep: () => true };
  const family = (seed: number) => GptFamily.init(CONFIG, 2, (m) => rootStream(seed).child('init').child(String(m)));

  /** Member losses of 3 steps of on-policy forward KL, with the teacher truncated to k (or not); `tensors`: tf.memory().numTensors after each step. */
  function losses(k: number | undefined, tensors: number[] = []): number[][] {
    const teacher = family(1);
    const student = family(2);
    const out: number[][] = [];
    const settings: ChannelSettings = { prefix: 'student', signal: 'forward-kl', steps: 3, batchSize: 8, learningRate: 0.01, samplingTemperature: 1, lossTemperature: 1, fixedSetSize: 8, ...(k !== undefined ? { teacherTopK: k } : {}) };
    try {
      runChannel(teacher, student, world, settings, rootStream(5).child('channel'), {
        probeEvery: 100,
        logEvery: 1,
        probe: () => {},
        onStep: (_, r) => {
          out.push(r.loss!);
          tensors.push(tf.memory().numTensors);
        },
      });
    } finally {
      teacher.dispose();
      student.dispose();
    }
    return out;
  }

  test('k = every allowed token (21) is the whole teacher, bit for bit; k = 1 trains on something else', () => {
    const whole = losses(undefined);
    expect(losses(21)).toEqual(whole);
    const top1 = losses(1);
    expect(top1[0]![0]).not.toBe(whole[0]![0]);
    // Against a one-token teacher the loss is −log p_S(argmax), larger than the KL to the whole teacher here.
    expect(top1[0]![0]!).toBeGreaterThan(whole[0]![0]!);
  });

  test('the truncation leaks no tensor: the count is flat across steps and back where it started after the run', () => {
    const before = tf.memory().numTensors;
    const tensors: number[] = [];
    losses(5, tensors);
    expect(tensors).toHaveLength(3);
    expect(new Set(tensors).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('is named in tables', () => {
    expect(channelLabel({ prefix: 'student', signal: 'forward-kl', teacherTopK: 5 })).toBe('student+forward-kl top-5');
  });
});

describe('experiment files', () => {
  const file = (channel: Record<string, unknown>) => tinyPersonaFile(channel);

  test('teacherTopK with another signal, or above the 21 channel tokens, is one line naming the field', () => {
    expect(problem(file({ prefix: 'student', signal: 'reverse-kl', teacherTopK: 5 }))).toBe(
      'arms[0].channel.teacherTopK: only used with signal "forward-kl" (a truncated teacher has log-probability −∞ outside its top k, which the other soft signals would read); remove it or use "forward-kl"',
    );
    expect(problem(file({ prefix: 'student', signal: 'forward-kl', teacherTopK: 22 }))).toBe(
      "arms[0].channel.teacherTopK: must be ≤ 21, the tokens the channel carries (the numbers and EOS); 21 is the whole teacher",
    );
    expect(problem(file({ prefix: 'student', signal: 'forward-kl', teacherTopK: 0 }))).toMatch(/^arms\[0\]\.channel\.teacherTopK: /);
    expect(() => parseExperiment(file({ prefix: 'teacher-fresh', signal: 'forward-kl', teacherTopK: 5 }), {}, checkRegistryNames)).not.toThrow();
  });
});
