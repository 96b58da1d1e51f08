// What per-seed data (seedsVary "init-and-data") costs per optimizer step, against "init", on
// the code paths the runs take, at the shipped experiments' sizes: the MNIST student step
// (5 members, 784-256-256-13, batch 256: [B, 784] shared input → one matmul for the first layer
// of all members; per-seed input [M, B, 784] → one plain matmul per member), the MNIST teacher
// step (batch 128), and the numbers channel step (numbers-owl's gpt, 10 members, batch 64) for
// a fixed teacher set and for on-policy sampling. Modes alternate, 3 rounds each; the median
// per-step time of each is printed with the ratio.
//
//   npm run build && node dist/bench/seeds-vary-step.js
import * as tf from '@tensorflow/tfjs';
import { mnistAuxTeacher } from '../teachers/mnist-aux.js';
import { channelSteps, type ChannelSettings } from '../src/distill/channel.js';
import { distillOnTargetsSteps } from '../src/distill/logit-distill.js';
import { selectBackend } from '../src/engine/backend.js';
import { rootStream } from '../src/engine/rng.js';
import { memberStreams } from '../src/engine/seed-data.js';
import { GptFamily } from '../src/models/gpt.js';
import { drawMemberInit, MlpFamily } from '../src/models/mlp.js';
import { loadMnist } from '../src/worlds/mnist/digit-files.js';
import { numbersChannelWorld } from '../src/worlds/numbers/channel-world.js';
import { CONTEXT, VOCAB_SIZE } from '../src/worlds/numbers/data.js';

const M = 5;
const SIZES = [784, 256, 256, 13];
const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds per step of `steps` steps of a generator, after `warm` untimed ones. */
function timeSteps(gen: Generator<number, unknown>, warm: number, steps: number, sync: () => void): number {
  for (let i = 0; i < warm; i++) gen.next();
  sync();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) gen.next();
  sync();
  const ms = (performance.now() - t0) / steps;
  gen.return(undefined);
  return ms;
}

function mnistStudent(perSeed: boolean): number {
  const n = 4096;
  const rng = rootStream(1).child('bench-seeds');
  const noise = (r: ReturnType<typeof rootStream>) => Float32Array.from({ length: n * 784 }, () => 2 * r.next() - 1);
  const inputs = perSeed ? memberStreams(rng.child('noise'), [0, 1, 2, 3, 4]).map(noise) : noise(rng.child('noise'));
  const targets = Array.from({ length: M }, (_, m) => {
    const t = rng.child(`targets-${m}`);
    return Float32Array.from({ length: n * 3 }, () => t.normal());
  });
  const student = new MlpFamily(SIZES, Array.from({ length: M }, (_, m) => drawMemberInit(SIZES, rng.child('init').child(String(m)))));
  const order = rng.child('order');
  try {
    const gen = distillOnTargetsSteps(targets, student, perSeed ? memberStreams(order, [0, 1, 2, 3, 4]) : order, {
      label: 'bench',
      logits: { start: 10, size: 3 },
      epochs: 10,
      batchSize: 256,
      learningRate: 3e-4,
      temperature: 1,
      logEvery: 1_000_000,
      inputs,
      onLog: () => {},
    });
    return timeSteps(gen, 5, 40, () => void student.biases.at(-1)!.dataSync());
  } finally {
    student.dispose();
  }
}

function mnistTeacher(perSeed: boolean): number {
  const data = loadMnist();
  const rng = rootStream(1).child('bench-seeds');
  const model = new MlpFamily(SIZES, Array.from({ length: M }, (_, m) => drawMemberInit(SIZES, rng.child('init').child(String(m)))));
  const order = rng.child('teacher-data');
  const stamps: number[] = [];
  try {
    mnistAuxTeacher.train(model, data, { epochs: 1, batchSize: 128, learningRate: 3e-4 }, perSeed ? memberStreams(order, [0, 1, 2, 3, 4]) : order, {
      logEvery: 1_000_000,
      onLog: () => {},
      onStep: (step) => {
        if (step === 5 || step === 45) {
          model.biases.at(-1)!.dataSync();
          stamps.push(performance.now());
        }
      },
    });
    return (stamps[1]! - stamps[0]!) / 40;
  } finally {
    model.dispose();
  }
}

function numbersChannel(perSeed: boolean, prefix: 'teacher-fixed' | 'student'): number {
  const config = { vocabSize: VOCAB_SIZE, context: CONTEXT, layers: 2, dModel: 32, heads: 4 };
  const init = rootStream(1).child('bench-seeds').child('gpt');
  const teacher = GptFamily.init(config, 2 * M, (m) => init.child(String(m)));
  const student = GptFamily.init(config, 2 * M, (m) => init.child(String(100 + m)));
  const settings: ChannelSettings = {
    prefix,
    signal: prefix === 'student' ? 'reverse-kl' : 'forward-kl',
    steps: 1_000,
    batchSize: 64,
    learningRate: 1e-3,
    samplingTemperature: 1,
    lossTemperature: 1,
    fixedSetSize: 512,
    ...(perSeed ? { dataSeeds: Array.from({ length: 2 * M }, (_, m) => m % M) } : {}),
  };
  try {
    const gen = channelSteps(teacher, student, numbersChannelWorld(0.05), settings, rootStream(1).child('bench-channel'), { probeEvery: 1_000_000, logEvery: 1_000_000, probe: () => {}, onStep: () => {} });
    return timeSteps(gen, 3, 20, () => void student.variables[0]!.dataSync());
  } finally {
    teacher.dispose();
    student.dispose();
  }
}

const CASES: [string, (perSeed: boolean) => number][] = [
  ['MNIST student step (5 members, batch 256)', mnistStudent],
  ['MNIST teacher step (5 members, batch 128)', mnistTeacher],
  ['numbers channel step, teacher-fixed + forward KL (10 members, batch 64)', (p) => numbersChannel(p, 'teacher-fixed')],
  ['numbers channel step, student + reverse KL (10 members, batch 64)', (p) => numbersChannel(p, 'student')],
];

await selectBackend(process.argv[2] === 'cpu' ? 'cpu' : 'wasm');
console.log(`backend ${tf.getBackend()}; median of ${ROUNDS} alternating rounds`);
for (const [name, run] of CASES) {
  const init: number[] = [];
  const data: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    init.push(run(false));
    data.push(run(true));
  }
  const a = median(init);
  const b = median(data);
  console.log(`${name}: init ${a.toFixed(1)} ms, init-and-data ${b.toFixed(1)} ms, ratio ${(b / a).toFixed(2)} (init ${init.map((x) => x.toFixed(1)).join(' ')}; init-and-data ${data.map((x) => x.toFixed(1)).join(' ')})`);
}
