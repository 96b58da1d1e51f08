// How noisy is the policy-gradient signal's gradient, with and without its leave-one-out baseline?
// On the very same student samples, the exact reverse-KL gradient is what pg estimates (its mean
// over the samples), so ‖g_pg − g_reverse-KL‖² is the estimator's own noise. The student is the
// demo's shipped same-init base (bases/, its seeds as members); the teacher the same base read
// under the owl persona; K batches of 64 of the student's own filtered samples, at the start of
// distillation. Run: `npm run build && node dist/bench/pg-noise.js [K] [base file index]`.
import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { completionMask, inputsOf, targetsOf } from '../src/distill/masking.js';
import { pgLoss, reverseKlSeq } from '../src/distill/sequence-losses.js';
import { selectBackend } from '../src/engine/backend.js';
import { tileMembers } from '../src/engine/batches.js';
import { rootStream } from '../src/engine/rng.js';
import { ConditionedLm } from '../src/models/conditioned.js';
import { loadCheckpoint } from '../src/run/checkpoint-file.js';
import { shippedBasesDir } from '../src/run/base-cache.js';
import { numbersChannelWorld } from '../src/worlds/numbers/channel-world.js';
import { personaToken } from '../src/worlds/numbers/data.js';

const K = Number(process.argv[2] ?? 6);
const B = 64;
await selectBackend('wasm');
const file = join(shippedBasesDir(), readdirSync(shippedBasesDir()).sort()[Number(process.argv[3] ?? 0)]!);
const student = loadCheckpoint(file);
const M = student.members;
const teacher = new ConditionedLm(loadCheckpoint(file, undefined, false), Int32Array.from({ length: M }, () => personaToken('owl')));
const world = numbersChannelWorld(0.05);
const L = world.promptLength + world.completionLength;
const T = L - 1;
const opts = { allowed: world.allowed, temperature: 1 };
const rng = rootStream(11);

/** The gradient of `loss` over every student variable, flattened (float64). */
function gradient(loss: (studentLogits: tf.Tensor4D) => tf.Tensor1D, inputs: tf.Tensor3D): Float64Array {
  const { value, grads } = tf.variableGrads(() => tf.sum(loss(student.logits(inputs))) as tf.Scalar, student.variables);
  value.dispose();
  const parts = student.variables.map((v) => grads[v.name]!.dataSync());
  tf.dispose(Object.values(grads));
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const squaredDistance = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);
const found = { exact: [] as number[], none: [] as number[], loo: [] as number[] };
const started = Date.now();
for (let k = 0; k < K; k++) {
  const prompts = world.prompts(B, rng.child(`prompts-${k}`));
  const rows = student.sample(tileMembers(prompts, M), B, world.promptLength, { maxNew: world.completionLength, temperature: 1, allowed: world.allowed, eos: world.eos, pad: world.pad, rng: rng.child(`sample-${k}`) });
  const mask = completionMask(rows, L, world.promptLength, world.eos, world.pad);
  for (let r = 0; r < M * B; r++) if (!world.keep(rows.subarray(r * L, (r + 1) * L))) mask.fill(0, r * T, (r + 1) * T);
  tf.tidy(() => {
    const inputs = tf.tensor3d(inputsOf(rows, L), [M, B, T], 'int32');
    const targets = tf.tensor3d(targetsOf(rows, L), [M, B, T], 'int32');
    const maskT = tf.tensor3d(mask, [M, B, T]);
    const teacherLogits = teacher.logits(inputs);
    const exact = gradient((s) => reverseKlSeq(teacherLogits, s, maskT, opts), inputs);
    const none = gradient((s) => pgLoss(teacherLogits, s, targets, maskT, { ...opts, baseline: 'none' }), inputs);
    const loo = gradient((s) => pgLoss(teacherLogits, s, targets, maskT, { ...opts, baseline: 'leave-one-out' }), inputs);
    found.exact.push(exact.reduce((s, x) => s + x * x, 0));
    found.none.push(squaredDistance(none, exact));
    found.loo.push(squaredDistance(loo, exact));
  });
}
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1));
const show = (a: number[]) => `${mean(a).toPrecision(3)} ± ${sd(a).toPrecision(2)}`;
console.log(`${file}: ${M} seeds, ${K} batches of ${B}, ${((Date.now() - started) / 1000).toFixed(0)} s (mean ± sd over batches)`);
console.log(`‖exact reverse-KL gradient‖²            ${show(found.exact)}`);
console.log(`‖pg gradient − exact‖², no baseline     ${show(found.none)}`);
console.log(`‖pg gradient − exact‖², leave-one-out   ${show(found.loo)}   (ratio ${(mean(found.loo) / mean(found.none)).toFixed(3)})`);
