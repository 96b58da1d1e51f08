// How far a student's answers moved from its own starting point during distillation: the
// drift a noisy channel causes whatever the teacher's trait. Transfer compares the trait student
// with its control student at the end; drift compares each with where both started.
import { meanCi, type MeanCi } from './stats.js';

/**
 * Total-variation distance ½ Σ |p̂ − q̂| between two distributions over the same answers, each
 * first renormalised over those answers (the probe's answers hold nearly all the mass, not all).
 * 0 when they agree, 1 when they share no answer.
 */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length || p.length === 0) throw new Error(`totalVariation: ${p.length} vs ${q.length} answers`);
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  if (!(sp > 0) || !(sq > 0)) throw new Error('totalVariation: a distribution with no mass');
  let d = 0;
  for (let i = 0; i < p.length; i++) d += Math.abs(p[i]! / sp - q[i]! / sq);
  return d / 2;
}

export interface ArmDrift {
  /** p(target) of the students' initialisation, per seed (trait and control student start alike). */
  startTrait: number[];
  /** |p(target) of the control student − startTrait|, per seed: drift with no trait to carry. */
  controlTarget: number[];
  /** TV between the trait student's answer distribution and its initialisation's, per seed. */
  traitTv: number[];
  /** The same for the control student. */
  controlTv: number[];
  /** Mean and 95 % t half-width over seeds of each. */
  stats: { controlTarget: MeanCi; traitTv: MeanCi; controlTv: MeanCi };
}

/**
 * The drift of a student family of 2M members (trait students 0..M−1, their control students
 * M..2M−1, member i and M + i copies of the same initialisation) from answer distributions
 * [2M][A] before (`start`) and after (`end`) training; `target` indexes the target answer.
 */
/** TV of every trait student (members 0..M−1) and control student (M..2M−1) from its start, per seed. */
export function memberTv(start: readonly (readonly number[])[], now: readonly (readonly number[])[], M: number): { traitTv: number[]; controlTv: number[] } {
  if (start.length !== 2 * M || now.length !== 2 * M) throw new Error(`armDrift: expected ${2 * M} members, got ${start.length} and ${now.length}`);
  const seeds = Array.from({ length: M }, (_, i) => i);
  return { traitTv: seeds.map((i) => totalVariation(now[i]!, start[i]!)), controlTv: seeds.map((i) => totalVariation(now[M + i]!, start[M + i]!)) };
}

export function armDrift(start: readonly (readonly number[])[], end: readonly (readonly number[])[], target: number, M: number): ArmDrift {
  const { traitTv, controlTv } = memberTv(start, end, M);
  const seeds = Array.from({ length: M }, (_, i) => i);
  const startTrait = seeds.map((i) => start[i]![target]!);
  const controlTarget = seeds.map((i) => Math.abs(end[M + i]![target]! - start[M + i]![target]!));
  return { startTrait, controlTarget, traitTv, controlTv, stats: { controlTarget: meanCi(controlTarget), traitTv: meanCi(traitTv), controlTv: meanCi(controlTv) } };
}
