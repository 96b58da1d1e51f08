// The relabel signal's two tokens: by default the student learns, at every trained position of
// its own prefix, a token sampled from the teacher's restricted distribution; with relabel
// 'argmax', the teacher's most probable allowed token. Checked from the first step's loss: it
// must be the student's restricted cross-entropy on exactly the teacher's argmax tokens of the
// batch it was shown (and something else when the teacher's tokens are sampled).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { runChannel, type ChannelBatch, type ChannelSettings } from '../../src/distill/channel.js';
import { restrictedLogSoftmax } from '../../src/distill/masking.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { numbersChannelWorld } from '../../src/worlds/numbers/channel-world.js';
import { CONTEXT, VOCAB_SIZE } from '../../src/worlds/numbers/data.js';

const CONFIG = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 16, heads: 2 };
const [M, B, L] = [2, 8, CONTEXT];
const T = L - 1;

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Untrained families keep few rows through the filter, so this world keeps every row. */
const world = { ...numbersChannelWorld(0.05), keep: () => true };
const family = (seed: number) => GptFamily.init(CONFIG, M, (m) => rootStream(seed).child('init').child(String(m)));

/** One step of student-prefix relabelling: member 0's whole batch and its loss. */
function firstStep(relabel: ChannelSettings['relabel']): { batch: ChannelBatch; loss: number } {
  const teacher = family(1);
  const student = family(2);
  let batch: ChannelBatch | undefined;
  let loss: number | undefined;
  const settings: ChannelSettings = { prefix: 'student', signal: 'relabel', steps: 1, batchSize: B, learningRate: 0.01, samplingTemperature: 1, lossTemperature: 1, fixedSetSize: B, ...(relabel ? { relabel } : {}) };
  try {
    runChannel(teacher, student, world, settings, rootStream(5).child('channel'), {
      probeEvery: 100,
      logEvery: 1,
      probe: () => {},
      onStep: (_, record) => (loss = record.loss?.[0]),
      batchView: { rows: B, see: (_, b) => (batch = b) },
    });
  } finally {
    teacher.dispose();
    student.dispose();
  }
  return { batch: batch!, loss: loss! };
}

/** Member 0's restricted cross-entropy, before any update, on the teacher's argmax at every trained position. */
function argmaxLoss(batch: ChannelBatch): number {
  const allowed = world.allowed;
  const student = family(2);
  try {
    const inputs = new Int32Array(M * B * T);
    for (let r = 0; r < B; r++) for (let m = 0; m < M; m++) inputs.set(batch.rows.subarray(r * L, r * L + T), (m * B + r) * T);
    const logp = tf.tidy(() => restrictedLogSoftmax(student.logits(tf.tensor3d(inputs, [M, B, T], 'int32')), allowed).dataSync() as Float32Array);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < B * T; i++) {
      if (batch.mask[i] === 0) continue;
      const logits = batch.teacherLogits!.subarray(i * VOCAB_SIZE, (i + 1) * VOCAB_SIZE);
      let best = -1;
      for (let v = 0; v < VOCAB_SIZE; v++) if (allowed[v] && (best < 0 || logits[v]! > logits[best]!)) best = v;
      sum -= logp[i * VOCAB_SIZE + best]!;
      count++;
    }
    expect(count).toBeGreaterThan(0);
    return sum / count;
  } finally {
    student.dispose();
  }
}

describe('relabel: the teacher token the student learns', () => {
  test("'argmax' trains on the teacher's most probable allowed token; the default samples one", () => {
    const argmax = firstStep('argmax');
    expect(argmax.loss).toBeCloseTo(argmaxLoss(argmax.batch), 5);
    const sampled = firstStep(undefined);
    expect(sampled.batch.rows).toEqual(argmax.batch.rows); // the same prefixes: only the labels differ
    expect(Math.abs(sampled.loss - argmaxLoss(sampled.batch))).toBeGreaterThan(1e-3);
    expect(firstStep('sample').loss).toBe(sampled.loss);
  });
});
