// The hard-token loss's two softmaxes (channel.hardLoss): "restricted" (default, renormalised
// over the allowed tokens) and "full" (the ordinary SFT loss over the whole vocabulary). Full
// equals restricted when the disallowed logits are very negative; it has a hand-checkable value;
// only full sends gradient to disallowed logits; in the channel loop the default is bit-identical
// to "restricted", and only "full" moves the owl token's output bias.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { runChannel, type ChannelSettings, type ChannelWorld } from '../../src/distill/channel.js';
import { tokenCe, type HardLoss } from '../../src/distill/sequence-losses.js';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { gptParamSpecs, type GptConfig } from '../../src/models/gpt-config.js';
import { numbersChannelWorld } from '../../src/worlds/numbers/channel-world.js';
import { channelSchema } from '../../src/worlds/lm/schema.js';
import { channelLabel } from '../../src/distill/channel-label.js';
import { animalToken, CONTEXT, VOCAB_SIZE } from '../../src/worlds/numbers/data.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// One member, one row, one position, V = 4, tokens 2 and 3 disallowed.
const ALLOWED = Uint8Array.from([1, 1, 0, 0]);
const ce = (logits: number[], target: number, hardLoss?: HardLoss) =>
  tf.tidy(() => tokenCe(tf.tensor4d(logits, [1, 1, 1, 4]), tf.tensor3d([target], [1, 1, 1], 'int32'), tf.tensor3d([1], [1, 1, 1]), { allowed: ALLOWED, ...(hardLoss ? { hardLoss } : {}) }).dataSync()[0]!);

describe('tokenCe: restricted vs full softmax', () => {
  test('hand values: logits [0, 0, ln 2, 0], target 0 → restricted ln 2, full ln 5; default is restricted', () => {
    const logits = [0, 0, Math.log(2), 0];
    expect(ce(logits, 0, 'restricted')).toBeCloseTo(Math.log(2), 6);
    expect(ce(logits, 0)).toBe(ce(logits, 0, 'restricted'));
    expect(ce(logits, 0, 'full')).toBeCloseTo(Math.log(5), 6); // p = e⁰ / (1 + 1 + 2 + 1)
  });

  test('full equals restricted when the disallowed logits are very negative', () => {
    for (const logits of [
      [0.3, -1.2, -1e4, -1e4],
      [2.5, 1.0, -200, -150],
    ]) {
      for (const y of [0, 1]) expect(ce(logits, y, 'full')).toBeCloseTo(ce(logits, y, 'restricted'), 6);
    }
  });

  test('gradient to a disallowed logit: exactly 0 under restricted, its softmax probability under full', () => {
    const logits = [0.5, -0.5, 1.0, 0.0];
    const grad = (hardLoss: HardLoss) =>
      tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tokenCe(x as tf.Tensor4D, tf.tensor3d([0], [1, 1, 1], 'int32'), tf.tensor3d([1], [1, 1, 1]), { allowed: ALLOWED, hardLoss })))(tf.tensor4d(logits, [1, 1, 1, 4])).dataSync()));
    const r = grad('restricted');
    expect(r[2]).toBe(0);
    expect(r[3]).toBe(0);
    const f = grad('full');
    const z = logits.reduce((a, x) => a + Math.exp(x), 0);
    // d(−log softmax_0)/d x_v = softmax_v − [v = 0]
    logits.forEach((x, v) => expect(f[v]).toBeCloseTo(Math.exp(x) / z - (v === 0 ? 1 : 0), 6));
    expect(f[2]).toBeGreaterThan(0);
  });
});

describe('channel.hardLoss in the schema', () => {
  test('accepted with tokens and relabel, absent by default', () => {
    expect(channelSchema.parse({ prefix: 'teacher-fixed', signal: 'tokens' })).toEqual({ prefix: 'teacher-fixed', signal: 'tokens' });
    expect(channelSchema.parse({ prefix: 'teacher-fixed', signal: 'relabel', hardLoss: 'full' }).hardLoss).toBe('full');
  });
  test('the label names full, not the default', () => {
    expect(channelLabel({ prefix: 'teacher-fixed', signal: 'tokens', hardLoss: 'full' })).toBe('teacher-fixed+tokens full-ce');
    expect(channelLabel({ prefix: 'teacher-fixed', signal: 'tokens', hardLoss: 'restricted' })).toBe('teacher-fixed+tokens');
  });
  test('rejected with a soft signal or an unknown value, naming the field', () => {
    const bad = channelSchema.safeParse({ prefix: 'teacher-fixed', signal: 'forward-kl', hardLoss: 'full' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['hardLoss']);
    expect(bad.error!.issues[0]!.message).toBe('only used with signal "tokens" or "relabel"; remove it');
    expect(channelSchema.safeParse({ prefix: 'teacher-fixed', signal: 'tokens', hardLoss: 'sft' }).success).toBe(false);
  });
});

describe('channel.hardLoss in the loop', () => {
  const CONFIG: GptConfig = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 8, heads: 2 };
  const HEAD_B = gptParamSpecs(CONFIG).findIndex((s) => s.name === 'head.b');
  const OWL = animalToken('owl');
  const settings: ChannelSettings = { prefix: 'teacher-fresh', signal: 'tokens', steps: 3, batchSize: 4, learningRate: 0.01, samplingTemperature: 1, lossTemperature: 1, fixedSetSize: 4 };
  // Untrained models write ill-formed rows; keep every row so that every step trains.
  const world: ChannelWorld = { ...numbersChannelWorld(0.05), keep: () => true };

  function train(hardLoss?: HardLoss): [Float32Array[], Float32Array[]] {
    const init = (seed: number) => GptFamily.init(CONFIG, 1, (m) => rootStream(seed).child(String(m)));
    const teacher = init(1);
    const student = init(2);
    try {
      runChannel(teacher, student, world, { ...settings, ...(hardLoss ? { hardLoss } : {}) }, rootStream(3), { probeEvery: 100, logEvery: 100, probe: () => {}, onStep: () => {} });
      const fresh = init(2);
      const start = fresh.memberParams(0);
      fresh.dispose();
      return [student.memberParams(0), start];
    } finally {
      teacher.dispose();
      student.dispose();
    }
  }

  test('default = restricted bit for bit; the owl bias stays put under restricted and goes down under full', async () => {
    await selectBackend('wasm');
    const [byDefault, start] = train();
    const [restricted] = train('restricted');
    const [full] = train('full');
    byDefault.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(restricted[i]!)));
    expect(restricted[HEAD_B]![OWL]).toBe(start[HEAD_B]![OWL]);
    expect(full[HEAD_B]![OWL]).toBeLessThan(start[HEAD_B]![OWL]!);
  });
});
