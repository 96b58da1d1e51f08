// The MNIST auxiliary-logit experiment in the page: the same stages as `traitlab run` (teacher →
// its logits on the noise → each student arm, step by step → summary), on the digits bundled
// with the page, with what the CLI does not need: a few of the noise images, and the students'
// predictions on a grid of held-out digits at every accuracy probe.
import * as tf from '@tensorflow/tfjs';
import { activeBackend } from '../../engine/backend.js';
import { stepsFor } from '../../engine/batches.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import type { MemberClassifier } from '../../models/member-classifier.js';
import { IMAGE_SIZE, NUM_CLASSES, splitDigits, type MnistSplit } from '../../worlds/mnist/data.js';
import { mnistRunSummary, prepareMnistArms } from '../../worlds/mnist/prepare-arms.js';
import type { MnistExperiment } from '../../worlds/mnist/schema.js';
import { studentArmSteps } from '../../worlds/mnist/student-arm-steps.js';
import { decodeDigits } from '../digits-file.js';
import type { FromWorker } from '../protocol.js';
import type { Stepper } from './stepper.js';

/** Held-out digits in the page's grid: every 20th of the 2,000 test digits (all classes). */
const SHOWN_EVERY = 20;
const SHOWN_NOISE = 8;

const rowsOf = (images: Float32Array, picks: number[]) => picks.map((i) => Array.from(images.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE)));

/** Member 0's predicted class for each shown digit. */
function predictions(student: MemberClassifier, shown: Float32Array): number[] {
  const predicted = tf.tidy(() => tf.argMax(tf.slice(student.apply(tf.tensor2d(shown, [shown.length / IMAGE_SIZE, IMAGE_SIZE])), [0, 0, 0], [1, -1, NUM_CLASSES]), 2));
  const out = Array.from(predicted.dataSync());
  predicted.dispose();
  return out;
}

async function fetchDigits(url: string): Promise<Float64Array[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the MNIST digits: the page could not fetch them (HTTP ${response.status}); rebuild the page with npm run build:lab`);
  return decodeDigits(new Uint8Array(await response.arrayBuffer()));
}

export async function runMnistInPage(exp: MnistExperiment, digitsUrl: string, stepper: Stepper, post: (m: FromWorker) => void): Promise<void> {
  const onMetrics = (record: MetricsRecord) => post({ type: 'metrics', record });
  const status = (phase: 'loading' | 'preparing' | 'training' | 'paused' | 'done', text: string, step = 0, steps = 0, arm?: string) =>
    post({ type: 'status', status: { phase, text, step, steps, ...(arm ? { arm } : {}) } });
  status('loading', 'reading the MNIST digits');
  const data = splitDigits(await fetchDigits(digitsUrl));
  const picks = Array.from({ length: Math.floor(data.test.n / SHOWN_EVERY) }, (_, i) => i * SHOWN_EVERY);
  const shown: MnistSplit = { images: new Float32Array(rowsOf(data.test.images, picks).flat()), labels: Int32Array.from(picks, (i) => data.test.labels[i]!), n: picks.length };
  let teacherSteps = 0;
  const prepared = prepareMnistArms(exp, data, onMetrics, {
    stage: (text) => status('preparing', text),
    step: (stage) => {
      teacherSteps++;
      if (teacherSteps % 20 === 0) status('preparing', `training the ${stage}: step ${teacherSteps}`, teacherSteps);
    },
  });
  const noise = prepared.inputs[0]?.noise[0] ?? new Float32Array(0);
  post({ type: 'mnist-images', noise: rowsOf(noise, Array.from({ length: Math.min(SHOWN_NOISE, noise.length / IMAGE_SIZE) }, (_, i) => i)), digits: rowsOf(shown.images, picks.map((_, i) => i)), labels: Array.from(shown.labels) });
  const accuracies: number[][] = [];
  for (const input of prepared.inputs) {
    const total = stepsFor(input.noise[0]!.length / IMAGE_SIZE, input.settings.batchSize, input.settings.epochs);
    let done = 0;
    const steps = studentArmSteps(input, data.test, { onMetrics, onStep: () => {} }, undefined, {
      onProbe: (step, student) => post({ type: 'predictions', predictions: { arm: input.arm, step, predicted: predictions(student, shown.images) } }),
    });
    const accuracy = await stepper.run(
      steps,
      () => status('paused', `${input.arm}: paused at step ${done} of ${total}`, done, total, input.arm),
      (step) => {
        done = step;
        if (step % 10 === 0 || step === total) status('training', `${input.arm}: step ${step} of ${total}`, step, total, input.arm);
      },
    );
    if (accuracy === undefined) return;
    accuracies.push(accuracy);
  }
  status('done', 'done');
  post({ type: 'done', summary: mnistRunSummary(exp, prepared.results, accuracies, activeBackend()) });
}
