// What a student recipe is: a named way of initialising the student relative to its teacher.
import type { MemberInit } from '../src/models/mlp.js';

export interface StudentInitContext {
  /** Number of members (seeds) in the run. */
  members: number;
  /** The initial parameters of member i's teacher (before the teacher was trained). */
  teacherInit(member: number): MemberInit;
  /** The initial parameters that seed `seed` of this run gets (seed ≥ members: a seed outside the run). */
  initOfSeed(seed: number): MemberInit;
}

/**
 * Which pretrained base a language-model student starts from (numbers world): the teacher's own
 * base (own), the base of another seed of the same family (other-seed), or a base of another
 * model family (other-arch).
 */
export type LmBase = 'own' | 'other-seed' | 'other-arch';

export interface StudentRecipe {
  name: string;
  description: string;
  /** MNIST world: initial parameters of member i of the student; absent where not supported. */
  init?(ctx: StudentInitContext, member: number): MemberInit;
  /** Numbers world: the base the student is a copy of. */
  lmBase: LmBase;
}
