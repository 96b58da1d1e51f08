// The channel's contract: what a caller gives the loop (settings, the world's tokens and filter,
// event callbacks, an optional batch viewer and control) and what it gets back (the report and
// the resumable state). Apart from the loop in channel.ts so that each file holds one job;
// channel.ts re-exports all of it.
import type * as tf from '@tensorflow/tfjs';
import { temperatureOrLearningRate, type NumericContext } from '../engine/numeric.js';
import type { RandomStream, StreamState } from '../engine/rng.js';
import type { TrainState } from '../engine/train-state.js';
import type { LmFamily } from '../models/lm.js';
import type { HardLoss, PgBaseline } from './sequence-losses.js';

export type PrefixSource = 'teacher-fixed' | 'teacher-fresh' | 'student' | 'mix';
export type TeacherSignal = 'tokens' | 'relabel' | 'forward-kl' | 'reverse-kl' | 'jsd' | 'pg';
export type DivergenceMode = 'off' | 'log' | 'mask';

export interface ChannelSettings {
  prefix: PrefixSource;
  signal: TeacherSignal;
  /** Student fraction of batches (mix only). */
  lambda?: number;
  /** JSD mixture weight (jsd only). */
  beta?: number;
  /** Advantage discount (pg only). */
  discount?: number;
  /** The hard-label loss's softmax (tokens and relabel only): restricted to the allowed tokens (default) or the full vocabulary. */
  hardLoss?: HardLoss;
  /** Advantage baseline (pg only); default 'none'. */
  baseline?: PgBaseline;
  /** Relabel with the teacher's sampled token or its argmax (relabel only); default 'sample'. */
  relabel?: 'sample' | 'argmax';
  /**
   * Forward KL against a teacher truncated to its k most probable allowed tokens at each
   * position (renormalised over them), as top-k log-probabilities from an API give it. Absent:
   * the teacher's whole restricted distribution.
   */
  teacherTopK?: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  samplingTemperature: number;
  lossTemperature: number;
  /** Prompts in the fixed teacher dataset (teacher-fixed only). */
  fixedSetSize: number;
  /**
   * Divergence positions: trained positions where member m's teacher and its neutral partner
   * (teacher member neutralPartner[m]) have different argmaxes over the allowed tokens. 'log'
   * counts them (report.divergentTokens, the step record's divergence); 'mask' also removes them
   * from the loss (every signal but pg). Default 'off': nothing extra is computed.
   */
  divergence?: DivergenceMode;
  /** [M] a permutation: the teacher member whose argmax is member m's neutral choice (divergence only). */
  neutralPartner?: readonly number[];
  /**
   * Liminal training: adds weight · KL(p_S ‖ p_base) (masked mean over the positions the step
   * trains, restricted distributions at the loss temperature) for steps 1 … untilStep. The base
   * is control.base, a frozen copy of the student's initialisation.
   */
  baseKl?: { weight: number; untilStep: number };
  /**
   * Seeds that vary their data (seedsVary "init-and-data"): member m reads seed dataSeeds[m]'s
   * own copy of every data stream — its prompts, fixed set and its order, sampling and
   * relabelling draws — so what it trains on does not depend on the other members. Absent
   * (seedsVary "init"): one stream per name, every member the same prompts. The λ coin of `mix`
   * stays one stream: a step has one prefix source for all members.
   */
  dataSeeds?: readonly number[];
}

/** What the channel needs to know of the world. */
export interface ChannelWorld {
  /** [V] 0/1: tokens the channel may carry. */
  allowed: Uint8Array;
  /** [V] 0/1: the trait's tokens, counted by the audit (must never be trained on). */
  traitTokens: Uint8Array;
  promptLength: number;
  /** New tokens sampled after each prompt (rows are promptLength + completionLength long). */
  completionLength: number;
  eos: number;
  pad: number;
  /** `n` prompts, [n, promptLength]. */
  prompts(n: number, rng: RandomStream): Int32Array;
  /** The filter: does a sampled row ([promptLength + completionLength]) stay in training? */
  keep(row: Int32Array): boolean;
}

export interface ChannelEvents {
  /** Called after `step` (0 = before training) when step % probeEvery = 0 and after the last step. */
  probe(step: number): void;
  probeEvery: number;
  /** One record per step: which prefix source the step used, and the loss per member. */
  onStep(step: number, record: { source: 'teacher' | 'student'; loss?: number[]; divergence?: number[] }): void;
  /** Read the loss back to the host every this many steps (a sync point). */
  logEvery: number;
  /** The stage and setting a numeric fault or a divergence names (default: `channel`, channelSetting). */
  numeric?: NumericContext;
  /** The loss is diverging (said at most once per run of the loop). */
  onWarning?(step: number, message: string): void;
  /** Shown each step's batch before the update (the lab draws it); absent, nothing extra is read. */
  batchView?: BatchViewer;
  /**
   * Gradient alignment, at every step that a probe follows: per member, the cosine between the
   * update direction −∇(loss) on that step's batch (the loss the optimizer descends, penalty
   * included) and ∇ objective(), both at the parameters before the update, over all trained
   * parameters. Handed to `see` before the step's probe. Absent, nothing extra is computed.
   */
  alignment?: { objective(): tf.Tensor1D; see(step: number, cosine: number[]): void };
}

/** What a step trains on, for a viewer: the first `rows` rows of member 0. */
export interface BatchViewer {
  rows: number;
  see(step: number, batch: ChannelBatch): void;
}

export interface ChannelBatch {
  source: 'teacher' | 'student';
  /** Token ids [rows, L]. */
  rows: Int32Array;
  /** 1 where a target position trains, [rows, T = L − 1]. */
  mask: Float32Array;
  /** Soft signals: the teacher's logits at those rows' positions, [rows, T, V]; else null. */
  teacherLogits: Float32Array | null;
  /** The audit so far, this step included. */
  auditTraitTokens: number;
}

/** The channel setting most likely behind a NaN or a diverging loss (see temperatureOrLearningRate). */
export const channelSetting = (s: { learningRate: number; lossTemperature: number }): string =>
  temperatureOrLearningRate(s.lossTemperature, s.learningRate, { temperature: 'distill.lossTemperature', learningRate: 'distill.learningRate' });

export interface ChannelReport {
  /** Trait tokens found in the prefixes and targets the student trained on (must be 0). */
  auditTraitTokens: number;
  /** Completion tokens trained on, per member. */
  trainedTokens: number[];
  /** Rows dropped by the filter, per member. */
  filteredRows: number[];
  /** Rows the teacher generated or scored, and rows the student generated. */
  teacherRows: number;
  studentRows: number;
  /** Steps whose prefixes were the student's own samples. */
  studentSteps: number;
  /** Divergence positions among trainedTokens, per member (only with settings.divergence on). */
  divergentTokens?: number[];
}

/** Interrupting and continuing the loop. */
export interface ChannelControl {
  /** Continue an interrupted loop from its state (the fixed teacher set is regenerated exactly). */
  from?: ChannelState;
  /** Asked after every step but the last; true → throw Interrupted<ChannelState>. */
  stopRequested?(): boolean;
  /** The frozen base (the student's initialisation, same members) for settings.baseKl. */
  base?: LmFamily;
}

/**
 * The loop after `step` steps: the student and its optimizer, the position of every stream the
 * steps draw from, the fixed set's remaining batches of the current epoch, and the counters.
 */
export interface ChannelState {
  step: number;
  train: TrainState;
  /** One state per stream, or per member for a data stream of per-seed data (dataSeeds). */
  streams: Record<StreamName, StreamState | StreamState[]>;
  /** The current epoch's remaining batches: B indices each, or M·B (member-major) with dataSeeds. */
  fixedOrder: Int32Array[];
  report: ChannelReport;
}

/** The channel's random streams, saved and restored by name. */
export type StreamName = 'prompts' | 'fixedOrder' | 'teacherSample' | 'studentSample' | 'coin' | 'relabel';
