// The distillation channel: one loop, two independent switches (docs/science.md §4).
//   prefix source — whose samples the prefixes are: a fixed teacher dataset generated once
//                   (teacher-fixed), fresh teacher samples each step (teacher-fresh), the
//                   student's own samples (student, on-policy), or a per-batch coin between
//                   student and teacher-fresh with student fraction λ (mix);
//   teacher signal — what the teacher says at every completion position of those prefixes:
//                   the prefix token as a hard label (tokens), the teacher's own sampled token
//                   (relabel), its full distribution (forward-kl, reverse-kl, jsd β), or the
//                   per-token advantage log p_T − log p_S on the student's token (pg).
// Every distribution is restricted to the channel's allowed tokens and renormalised; sampled
// rows that fail the world's filter get mask 0; an audit counts trait tokens in everything the
// student trained on. Teacher and student hold the same number of members: member i of the
// student learns from member i of the teacher. Three optional measurements, each off by default
// (and then computing nothing): divergence positions (logged, or masked from the loss), a
// KL-to-base penalty in an early window, and the cosine between the update and a trait gradient.
import * as tf from '@tensorflow/tfjs';
import { tileMembers } from '../engine/batches.js';
import { drain } from '../engine/drain.js';
import { adam } from '../engine/fused-adam.js';
import { MemoryGuard } from '../engine/memory.js';
import { LossWatch } from '../engine/numeric.js';
import { restoreStream, type RandomStream, type StreamState } from '../engine/rng.js';
import { memberStreams } from '../engine/seed-data.js';
import { Interrupted } from '../engine/stop.js';
import { captureTrainState, restoreTrainState } from '../engine/train-state.js';
import type { LmFamily } from '../models/lm.js';
import { drawTokens } from '../models/sampling.js';
import { completionMask, inputsOf, targetsOf, topKLogits } from './masking.js';
import { baseKlPenalty, forwardKlSeq, jsdSeq, pgLoss, reverseKlSeq, tokenCe, type HardLoss, type PgBaseline } from './sequence-losses.js';
import { checkPartners, divergentPositions, restrictedArgmax, rowsForPartners } from './divergence.js';
import { memberCosines } from './gradient-alignment.js';

export * from './channel-types.js';
import { channelSetting, type BatchViewer, type ChannelControl, type ChannelEvents, type ChannelReport, type ChannelSettings, type ChannelState, type ChannelWorld, type StreamName } from './channel-types.js';


/** One stream every member shares, or one per member (dataSeeds). */
type Streams = RandomStream | RandomStream[];

const rowLengthOf = (w: ChannelWorld) => w.promptLength + w.completionLength;

/** `n` prompts [n, P] every member reads, or [M, n, P] member m's own from its stream. */
function drawPrompts(world: ChannelWorld, n: number, rng: Streams): Int32Array {
  if (!Array.isArray(rng)) return world.prompts(n, rng);
  const P = world.promptLength;
  const out = new Int32Array(rng.length * n * P);
  rng.forEach((r, m) => out.set(world.prompts(n, r), m * n * P));
  return out;
}

/** Prompts [n, P] shared (laid out once per member) or [M, n, P] already per member → [M, n, P]. */
const perMemberPrompts = (prompts: Int32Array, members: number, n: number, P: number): Int32Array => (prompts.length === n * P ? tileMembers(prompts, members) : prompts);

function sampleRows(model: LmFamily, prompts: Int32Array, n: number, world: ChannelWorld, temperature: number, rng: Streams): Int32Array {
  return model.sample(perMemberPrompts(prompts, model.members, n, world.promptLength), n, world.promptLength, {
    maxNew: world.completionLength,
    temperature,
    allowed: world.allowed,
    eos: world.eos,
    pad: world.pad,
    rng,
  });
}

/** Prompts per sampling call when generating the fixed set: bounds the wasm heap (all at once, 4,096 prompts × 10 members exhausted it). */
const FIXED_SET_CHUNK = 256;

/** The teacher's samples for `n` prompts ([n, P] shared or [M, n, P] per member), [M, n, L], generated in chunks of prompts. */
function sampleFixedSet(model: LmFamily, prompts: Int32Array, n: number, world: ChannelWorld, temperature: number, rng: Streams): Int32Array {
  const M = model.members;
  const P = world.promptLength;
  const L = rowLengthOf(world);
  const all = perMemberPrompts(prompts, M, n, P);
  const out = new Int32Array(M * n * L);
  for (let start = 0; start < n; start += FIXED_SET_CHUNK) {
    const rows = Math.min(FIXED_SET_CHUNK, n - start);
    const chunkPrompts = new Int32Array(M * rows * P);
    for (let m = 0; m < M; m++) chunkPrompts.set(all.subarray((m * n + start) * P, (m * n + start + rows) * P), m * rows * P);
    const chunk = sampleRows(model, chunkPrompts, rows, world, temperature, rng); // [M, rows, L]
    for (let m = 0; m < M; m++) out.set(chunk.subarray(m * rows * L, (m + 1) * rows * L), (m * n + start) * L);
  }
  return out;
}

/** Rows [M, B, L] of a fixed set [M, N, L]: every member at the same indices idx [B], or member m at its own idx[m·B .. (m+1)·B). */
function gatherFixed(fixed: Int32Array, members: number, n: number, L: number, idx: Int32Array, B: number): Int32Array {
  const own = idx.length === members * B;
  const out = new Int32Array(members * B * L);
  for (let m = 0; m < members; m++)
    for (let b = 0; b < B; b++) {
      const i = idx[own ? m * B + b : b]!;
      out.set(fixed.subarray((m * n + i) * L, (m * n + i + 1) * L), (m * B + b) * L);
    }
  return out;
}

/** A reshuffled order of 0..N−1 (Fisher–Yates, the draws of every epoch of the fixed set). */
function shuffled(N: number, rng: RandomStream): number[] {
  const perm = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm;
}

/** Trait tokens in the prefixes of trained rows and in their trained targets. inputs, targets, mask: [R, T]. */
function auditRows(inputs: Int32Array, targets: Int32Array, mask: Float32Array, R: number, T: number, traitTokens: Uint8Array): number {
  let count = 0;
  for (let r = 0; r < R; r++) {
    let trained = false;
    for (let t = 0; t < T; t++) if (mask[r * T + t]) trained = true;
    if (!trained) continue;
    for (let t = 0; t < T; t++) {
      if (traitTokens[inputs[r * T + t]!]) count++;
      if (mask[r * T + t] && traitTokens[targets[r * T + t]!]) count++;
    }
  }
  return count;
}

/** Hands a viewer member 0's first rows of the batch (a read of the teacher's logits for soft signals). */
function showBatch(viewer: BatchViewer, step: number, source: 'teacher' | 'student', rows: Int32Array, mask: Float32Array, teacherLogits: tf.Tensor4D | null, audit: number, B: number, L: number): void {
  const R = Math.min(viewer.rows, B);
  const T = L - 1;
  const logits = teacherLogits ? (tf.slice(teacherLogits, [0, 0, 0, 0], [1, R, -1, -1]).dataSync() as Float32Array) : null;
  viewer.see(step, { source, rows: rows.slice(0, R * L), mask: mask.slice(0, R * T), teacherLogits: logits, auditTraitTokens: audit });
}

function validate(settings: ChannelSettings, M: number, base: LmFamily | undefined): void {
  const divergence = settings.divergence ?? 'off';
  if (divergence !== 'off') {
    if (!settings.neutralPartner) throw new Error('channel: divergence needs neutralPartner, the neutral teacher member of every student member');
    checkPartners(settings.neutralPartner, M);
  }
  if (divergence === 'mask' && settings.signal === 'pg')
    throw new Error('channel: divergence "mask" is not defined for signal "pg" (its advantages are sums over the sampled row); use "log"');
  if (settings.baseKl) {
    const { weight, untilStep } = settings.baseKl;
    if (!(weight >= 0 && Number.isFinite(weight)) || !(Number.isInteger(untilStep) && untilStep >= 0)) throw new Error('channel: baseKl needs weight ≥ 0 and an integer untilStep ≥ 0');
    if (!base) throw new Error('channel: baseKl needs the frozen base (control.base)');
    if (base.members !== M) throw new Error(`channel: the base has ${base.members} members, the student ${M}`);
  }
  if (settings.prefix === 'mix' && !(settings.lambda !== undefined && settings.lambda >= 0 && settings.lambda <= 1))
    throw new Error('channel: prefix "mix" needs lambda in [0, 1]');
  if (settings.signal === 'jsd' && !(settings.beta !== undefined && settings.beta >= 0 && settings.beta <= 1))
    throw new Error('channel: signal "jsd" needs beta in [0, 1]');
}

/** The loop's streams from `rng`: one per name, or with dataSeeds one per member for each data stream (not the coin). */
function freshStreams(rng: RandomStream, dataSeeds: readonly number[] | undefined): Record<StreamName, Streams> {
  const data = (name: string): Streams => (dataSeeds ? memberStreams(rng.child(name), dataSeeds) : rng.child(name));
  return {
    prompts: data('prompts'),
    fixedOrder: data('fixed-order'),
    teacherSample: data('teacher-sample'),
    studentSample: data('student-sample'),
    coin: rng.child('lambda-coin'),
    relabel: data('relabel'),
  };
}

const restore = (state: StreamState | StreamState[]): Streams => (Array.isArray(state) ? state.map(restoreStream) : restoreStream(state));
const save = (s: Streams): StreamState | StreamState[] => (Array.isArray(s) ? s.map((x) => x.save()) : s.save());

/**
 * Distils `student` towards `teacher` (member i from member i) for settings.steps steps.
 * The teacher is only read. `rng` supplies the named streams: prompts, fixed-set, sampling,
 * the λ coin, relabelling draws.
 */
export function runChannel(teacher: LmFamily, student: LmFamily, world: ChannelWorld, settings: ChannelSettings, rng: RandomStream, events: ChannelEvents, control: ChannelControl = {}): ChannelReport {
  return drain(channelSteps(teacher, student, world, settings, rng, events, control));
}

/**
 * runChannel one step at a time: yields the step just done (after its probe), returns the
 * report. A caller that must stay responsive between steps (the lab's Web Worker, which reads
 * its messages only when it yields to the event loop) drives it; runChannel drains it. Ending
 * it early with `return()` frees its optimizer.
 */
export function* channelSteps(teacher: LmFamily, student: LmFamily, world: ChannelWorld, settings: ChannelSettings, rng: RandomStream, events: ChannelEvents, control: ChannelControl = {}): Generator<number, ChannelReport> {
  if (teacher.members !== student.members) throw new Error(`channel: teacher has ${teacher.members} members, student ${student.members}`);
  const M = student.members;
  validate(settings, M, control.base);
  const divergence = settings.divergence ?? 'off';
  const B = settings.batchSize;
  const L = rowLengthOf(world);
  const T = L - 1;
  const { from } = control;
  const { dataSeeds } = settings;
  if (dataSeeds && dataSeeds.length !== M) throw new Error(`channel: ${dataSeeds.length} data seeds for ${M} members`);
  const streams: Record<StreamName, Streams> = from
    ? (Object.fromEntries(Object.entries(from.streams).map(([name, state]) => [name, restore(state)])) as Record<StreamName, Streams>)
    : freshStreams(rng, dataSeeds);
  const coin = streams.coin as RandomStream; // always one stream
  const fresh: ChannelReport = {
    auditTraitTokens: 0,
    trainedTokens: new Array<number>(M).fill(0),
    filteredRows: new Array<number>(M).fill(0),
    teacherRows: 0,
    studentRows: 0,
    studentSteps: 0,
    ...(divergence !== 'off' ? { divergentTokens: new Array<number>(M).fill(0) } : {}),
  };
  const report: ChannelReport = from ? structuredClone(from.report) : fresh;

  // The fixed teacher dataset, generated once: [M, N, L]. Its streams are fresh children, so a
  // resumed loop regenerates exactly the same set (and has already counted its rows).
  let fixed: Int32Array | null = null;
  const fixedOrder: Int32Array[] = from ? from.fixedOrder.map((b) => Int32Array.from(b)) : [];
  const N = settings.fixedSetSize;
  if (settings.prefix === 'teacher-fixed') {
    const dataOf = (name: string): Streams => (dataSeeds ? memberStreams(rng.child(name), dataSeeds) : rng.child(name));
    fixed = sampleFixedSet(teacher, drawPrompts(world, N, dataOf('fixed-prompts')), N, world, settings.samplingTemperature, dataOf('fixed-sample'));
    if (!from) report.teacherRows += M * N;
  }
  const nextFixedBatch = (): Int32Array => {
    if (fixedOrder.length === 0) {
      // A new epoch over the fixed set, reshuffled (per member with dataSeeds: batches of M·B
      // indices, member-major); a last partial batch is dropped.
      const perms = Array.isArray(streams.fixedOrder) ? streams.fixedOrder.map((r) => shuffled(N, r)) : [shuffled(N, streams.fixedOrder)];
      for (let s = 0; s + B <= N; s += B) fixedOrder.push(Int32Array.from(perms.flatMap((perm) => perm.slice(s, s + B))));
      if (fixedOrder.length === 0) throw new Error(`channel: fixedSetSize ${N} is smaller than batchSize ${B}`);
    }
    return gatherFixed(fixed!, M, N, L, fixedOrder.shift()!, B);
  };

  const optimizer: tf.Optimizer = adam(settings.learningRate);
  const guard = new MemoryGuard(`channel ${settings.prefix}+${settings.signal}`, 2);
  const lossOpts = { allowed: world.allowed, temperature: settings.lossTemperature };
  const numeric = events.numeric ?? { stage: 'channel', setting: channelSetting(settings) };
  const watch = new LossWatch(numeric);
  try {
    if (from) restoreTrainState(from.train, student.variables, optimizer);
    else events.probe(0);
    for (let step = (from?.step ?? 0) + 1; step <= settings.steps; step++) {
      // 1. Prefixes (host work and sampling, outside the gradient tape).
      let source: 'teacher' | 'student' = 'teacher';
      let rows: Int32Array;
      if (settings.prefix === 'teacher-fixed') rows = nextFixedBatch();
      else {
        const useStudent = settings.prefix === 'student' || (settings.prefix === 'mix' && coin.next() < settings.lambda!);
        const prompts = drawPrompts(world, B, streams.prompts);
        if (useStudent) {
          source = 'student';
          rows = sampleRows(student, prompts, B, world, settings.samplingTemperature, streams.studentSample);
          report.studentRows += M * B;
          report.studentSteps++;
        } else {
          rows = sampleRows(teacher, prompts, B, world, settings.samplingTemperature, streams.teacherSample);
          report.teacherRows += M * B;
        }
      }
      // 2. Which positions train: generated completion tokens (EOS included) of rows that pass the filter.
      const mask = completionMask(rows, L, world.promptLength, world.eos, world.pad);
      for (let r = 0; r < M * B; r++) {
        const m = Math.floor(r / B);
        if (world.keep(rows.subarray(r * L, (r + 1) * L))) {
          for (let t = 0; t < T; t++) report.trainedTokens[m]! += mask[r * T + t]!;
        } else {
          mask.fill(0, r * T, (r + 1) * T);
          report.filteredRows[m]!++;
        }
      }
      const inputs = inputsOf(rows, L);
      let targets = targetsOf(rows, L);
      // 4. Teacher work outside the tape: its logits are constants for the student's update.
      const needsTeacherLogits = settings.signal !== 'tokens';
      const shape: [number, number, number] = [M, B, T];
      const logged = step % events.logEvery === 0 || step === settings.steps;
      // One more read per loop: the divergence watch's reference (not logged).
      const read = logged || watch.wantsReference;
      let lossValues: number[] | undefined;
      let divergenceFractions: number[] | undefined;
      const probed = step % events.probeEvery === 0 || step === settings.steps;
      tf.tidy(() => {
        const inputT = tf.tensor3d(inputs, shape, 'int32');
        let teacherLogits: tf.Tensor4D | null = null;
        if (needsTeacherLogits) {
          teacherLogits = teacher.logits(inputT);
          report.teacherRows += M * B;
        }
        // The loss reads the truncated teacher; the divergence watch keeps the full one (same argmax).
        const lossTeacher = teacherLogits && settings.teacherTopK !== undefined ? topKLogits(teacherLogits, world.allowed, settings.teacherTopK) : teacherLogits;
        if (divergence !== 'off') {
          // 3. Divergence positions: the teacher's argmax against its neutral partner's, on this
          // member's rows (the partner reads them through a second, permuted forward pass).
          const partner = settings.neutralPartner!;
          const own = restrictedArgmax(teacherLogits ?? teacher.logits(inputT), world.allowed);
          const onPartnerRows = restrictedArgmax(teacher.logits(tf.tensor3d(rowsForPartners(inputs, partner, B * T), shape, 'int32')), world.allowed);
          report.teacherRows += (teacherLogits ? 1 : 2) * M * B;
          const divergent = divergentPositions(own, onPartnerRows, mask, partner, B * T);
          divergenceFractions = [];
          for (let m = 0; m < M; m++) {
            let hits = 0;
            let trained = 0;
            for (let i = m * B * T; i < (m + 1) * B * T; i++) {
              hits += divergent[i]!;
              trained += mask[i]!;
              if (divergence === 'mask' && divergent[i]) mask[i] = 0;
            }
            report.divergentTokens![m]! += hits;
            divergenceFractions.push(trained > 0 ? hits / trained : 0);
          }
        }
        const maskT = tf.tensor3d(mask, shape);
        const penalty = settings.baseKl && step <= settings.baseKl.untilStep && settings.baseKl.weight > 0 ? settings.baseKl : null;
        const baseLogits = penalty ? control.base!.logits(inputT) : null;
        if (settings.signal === 'relabel') {
          // The teacher's own sampled token at every position of the prefix (restricted), or its
          // most probable allowed token (top-k 1: ties to the lower id; the draw is then certain).
          const probs = tf.tidy(() => tf.softmax(tf.div(teacherLogits!, settings.samplingTemperature)).reshape([M * B * T, -1]));
          const topK = settings.relabel === 'argmax' ? 1 : 0;
          targets = drawTokens(probs.dataSync() as Float32Array, teacher.vocabSize, world.allowed, topK, streams.relabel);
        }
        // The audit: trait tokens anywhere in a trained row's prefix or among the targets it is
        // actually trained on (after relabelling, the teacher's draws).
        report.auditTraitTokens += auditRows(inputs, targets, mask, M * B, T, world.traitTokens);
        if (events.batchView) showBatch(events.batchView, step, source, rows, mask, teacherLogits, report.auditTraitTokens, B, L);
        const targetT = tf.tensor3d(targets, shape, 'int32');
        const { value, grads } = tf.variableGrads(() => {
          const studentLogits = student.logits(inputT);
          let perMember: tf.Tensor1D;
          switch (settings.signal) {
            case 'tokens':
            case 'relabel':
              perMember = tokenCe(studentLogits, targetT, maskT, { ...lossOpts, hardLoss: settings.hardLoss ?? 'restricted' });
              break;
            case 'forward-kl':
              perMember = forwardKlSeq(lossTeacher!, studentLogits, maskT, lossOpts);
              break;
            case 'reverse-kl':
              perMember = reverseKlSeq(teacherLogits!, studentLogits, maskT, lossOpts);
              break;
            case 'jsd':
              perMember = jsdSeq(teacherLogits!, studentLogits, maskT, { ...lossOpts, beta: settings.beta! });
              break;
            case 'pg':
              perMember = pgLoss(teacherLogits!, studentLogits, targetT, maskT, { ...lossOpts, discount: settings.discount ?? 0, baseline: settings.baseline ?? 'none' });
              break;
          }
          // Liminal training: stay near the base in the early window (KL(p_S ‖ p_base), the base's logits are constants).
          if (penalty) perMember = tf.add(perMember, baseKlPenalty(baseLogits!, studentLogits, maskT, lossOpts, penalty.weight)) as tf.Tensor1D;
          if (read) lossValues = Array.from(perMember.dataSync());
          return tf.sum(perMember) as tf.Scalar;
        }, student.variables);
        value.dispose();
        if (events.alignment && probed) {
          // Both gradients at the parameters before this update; −∇loss is the direction the step moves.
          const trait = tf.variableGrads(() => tf.sum(events.alignment!.objective()) as tf.Scalar, student.variables);
          const names = student.variables.map((v) => v.name);
          const cosine = memberCosines(
            names.map((n) => tf.neg(grads[n] ?? tf.zerosLike(student.variables.find((v) => v.name === n)!))),
            names.map((n) => trait.grads[n] ?? tf.zerosLike(student.variables.find((v) => v.name === n)!)),
            M,
          );
          events.alignment.see(step, cosine);
        }
        optimizer.applyGradients(grads);
      });
      let warning: string | null = null;
      if (lossValues) ({ losses: lossValues, warning } = watch.check(step, lossValues));
      events.onStep(step, {
        source,
        ...(lossValues && logged ? { loss: lossValues } : {}),
        ...(divergenceFractions && logged ? { divergence: divergenceFractions } : {}),
      });
      if (warning) events.onWarning?.(step, warning);
      if (probed) events.probe(step);
      guard.check();
      yield step;
      if (step < settings.steps && control.stopRequested?.()) {
        const saved = Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, save(s)])) as Record<StreamName, StreamState | StreamState[]>;
        throw new Interrupted<ChannelState>({ step, train: captureTrainState(student.variables, optimizer), streams: saved, fixedOrder: fixedOrder.map((b) => b.slice()), report: structuredClone(report) });
      }
    }
  } finally {
    optimizer.dispose();
  }
  return report;
}
