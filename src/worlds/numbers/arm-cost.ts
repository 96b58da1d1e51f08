// The relative work of a numbers arm (src/distill/distill-cost.ts): what the arm pool starts
// first and what `traitlab plan` shares out. Its own file so the arm task and the world
// descriptor read one definition.
import { distillCost } from '../../distill/distill-cost.js';
import type { NumbersArm, NumbersExperiment } from './schema.js';

export const numbersArmCost = (exp: Pick<NumbersExperiment, 'distill'>, arm: Pick<NumbersArm, 'distill' | 'channel'>): number => distillCost({ ...exp.distill, ...arm.distill }, arm.channel);
