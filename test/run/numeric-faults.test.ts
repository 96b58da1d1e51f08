// A temperature too small for float32 (what the schemas now refuse, but a library caller can
// still pass) makes the loss NaN at once: the MNIST student arm and the sequence channel stop at
// step 1 with a NumericFault naming the temperature, instead of training on NaN.
import { beforeAll, describe, expect, it } from 'vitest';
import { runChannel, type ChannelSettings } from '../../src/distill/channel.js';
import { selectBackend } from '../../src/engine/backend.js';
import { NumericFault } from '../../src/engine/numeric.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import type { GptConfig } from '../../src/models/gpt-config.js';
import { drawMemberInit } from '../../src/models/mlp.js';
import { numbersChannelWorld } from '../../src/worlds/numbers/channel-world.js';
import { runStudentArm } from '../../src/worlds/mnist/student-arm.js';
import { CONTEXT, VOCAB_SIZE } from '../../src/worlds/numbers/data.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function faultOf(f: () => unknown): NumericFault {
  try {
    f();
  } catch (e) {
    if (e instanceof NumericFault) return e;
    throw e;
  }
  throw new Error('no fault');
}

describe('a temperature of 1e-300 (0 in float32)', () => {
  it('stops the MNIST student arm at step 1, naming distill.temperature', () => {
    const sizes = [784, 8, 13];
    const n = 128;
    const rng = rootStream(5);
    const noise = Float32Array.from({ length: n * 784 }, () => 2 * rng.next() - 1);
    const teacherLogits = [0, 1].map(() => Float32Array.from({ length: n * 13 }, () => rng.next()));
    const metrics: object[] = [];
    const fault = faultOf(() =>
      runStudentArm(
        {
          arm: 'student-aux',
          backend: 'wasm',
          rootSeed: 5,
          sizes,
          inits: [0, 1].map((m) => drawMemberInit(sizes, rng.child(String(m)))),
          seedsVary: 'init',
          noise: [noise],
          teacherLogits,
          settings: { logits: { start: 10, size: 3 }, epochs: 1, batchSize: 32, learningRate: 0.003, temperature: 1e-300, logEvery: 2 },
        },
        { onMetrics: (r) => metrics.push(r), onStep: () => {} },
      ),
    );
    expect(fault.toData()).toMatchObject({ stage: 'student-aux', setting: 'distill.temperature', step: 1, what: 'loss' });
    expect(Number.isFinite(fault.value)).toBe(false);
    expect(metrics).toEqual([]); // nothing NaN was logged
  });

  it('stops the sequence channel at step 1, naming distill.lossTemperature', () => {
    const config: GptConfig = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 1, dModel: 16, heads: 2 };
    const teacher = GptFamily.init(config, 2, (m) => rootStream(1).child('t').child(String(m)), false);
    const student = GptFamily.init(config, 2, (m) => rootStream(1).child('s').child(String(m)));
    const settings: ChannelSettings = { prefix: 'teacher-fresh', signal: 'forward-kl', steps: 4, batchSize: 8, learningRate: 0.01, samplingTemperature: 1, lossTemperature: 1e-300, fixedSetSize: 16 };
    // Every row kept: an untrained teacher's rows would all be filtered out.
    const world = { ...numbersChannelWorld(0), keep: () => true };
    const losses: number[][] = [];
    try {
      const fault = faultOf(() => runChannel(teacher, student, world, settings, rootStream(2), { probe: () => {}, probeEvery: 4, logEvery: 2, onStep: (_, r) => r.loss && losses.push(r.loss) }));
      expect(fault.toData()).toMatchObject({ stage: 'channel', setting: 'distill.lossTemperature', step: 1, what: 'loss' });
      expect(losses).toEqual([]);
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });
});
