// The messages between the lab page (main thread) and its Web Worker, which runs the worlds.
// The worker trains; the page only draws. Every metrics record the worker posts is exactly the
// record `traitlab run` writes to metrics.jsonl for the same experiment file.
import type { MetricsRecord } from '../engine/metrics-record.js';
import type { MnistExperiment } from '../worlds/mnist/schema.js';
import type { NumbersExperiment } from '../worlds/numbers/schema.js';

/** What to run: one world's experiment, played at once or paused at step 0. */
export type RunStart = { world: 'numbers'; experiment: NumbersExperiment; play: boolean } | { world: 'mnist'; experiment: MnistExperiment; play: boolean };

/** Page → worker. */
export type ToWorker =
  /** First, once: load the wasm backend (`singleThreaded`: no threads even when the page is cross-origin isolated, to compare). */
  | { type: 'init'; singleThreaded: boolean }
  /** Load what the run needs (bases, digits), then wait paused at step 0 (or play at once). */
  /** `run` names the run: the worker tags every message of it with this number, so a page drops what a run it left behind still posts. */
  | ({ type: 'start'; run: number } & RunStart)
  | { type: 'play' }
  | { type: 'pause' }
  /** One optimizer step, then pause. */
  | { type: 'step' }
  /** Drop the run and its models; the worker is ready for a new start. */
  | { type: 'reset' };

/** What the run is doing, for the status line. */
export interface LabStatus {
  phase: 'loading' | 'preparing' | 'training' | 'paused' | 'done';
  /** One plain-language line, e.g. "reading the shipped bases". */
  text: string;
  /** Optimizer steps done in the current arm, and of how many. */
  step: number;
  steps: number;
  /** The arm being trained (numbers: the experiment's one arm; mnist: each student arm in turn). */
  arm?: string;
}

/** Numbers world: p(answer = animal a) after the favourite-animal question, per member, [M][ANIMALS.length]. */
export interface AnswerBars {
  step: number;
  teacher: number[][];
  controlTeacher: number[][];
  /** The trait student (distilled from the trait teacher) and the control student. */
  student: number[][];
  controlStudent: number[][];
}

/** Numbers world: what member 0 trained on at this step. */
export interface BatchView {
  step: number;
  source: 'teacher' | 'student';
  /** A few rows of member 0's batch, token ids, each [promptLength + completionLength]. */
  rows: number[][];
  /** Per row: 1 where the position is trained on (a completion token of a row the filter kept), per target position [T = L − 1]. */
  mask: number[][];
  /**
   * Soft signals only: for each row and each target position, the teacher's top few next
   * tokens with their probability (restricted to the channel's tokens and renormalised at the
   * loss temperature), most likely first.
   */
  teacherTop?: { token: number; p: number }[][][];
  /** Trait tokens (animals, personas) found so far in everything the student trained on. */
  auditTraitTokens: number;
}

/** MNIST world: a student arm's predictions on the shown test digits. */
export interface DigitPredictions {
  arm: string;
  step: number;
  /** Member 0's predicted class for each shown digit (the same digits as `digits`). */
  predicted: number[];
}

/** Worker → page: a run's messages carry its `run` number (the backend's `ready` and its load error carry none). */
export type FromWorker = (
  /** The backend is loaded: wasm's threads (1 unless the page is cross-origin isolated) and SIMD. */
  | { type: 'ready'; backend: string; threads: number; simd: boolean; kernels: boolean; isolated: boolean }
  | { type: 'status'; status: LabStatus }
  | { type: 'metrics'; record: MetricsRecord }
  | { type: 'answers'; bars: AnswerBars }
  | { type: 'batch'; batch: BatchView }
  /** MNIST: a few of the uniform-noise images students train on, [n][784] in [−1, 1], and the shown test digits with labels. */
  | { type: 'mnist-images'; noise: number[][]; digits: number[][]; labels: number[] }
  | { type: 'predictions'; predictions: DigitPredictions }
  /** The run finished; its summary as `traitlab run` writes summary.json. */
  | { type: 'done'; summary: unknown }
  /** One line; the run stopped. */
  | { type: 'error'; message: string }
) & { run?: number };
