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

export interface StudentRecipe {
  name: string;
  description: string;
  /** Initial parameters of member i of the student. */
  init(ctx: StudentInitContext, member: number): MemberInit;
}
