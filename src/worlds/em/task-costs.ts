// The relative work of the EM world's arm-stage tasks (src/distill/distill-cost.ts for the
// distillation): what the arm pool starts first and what `traitlab plan` shares out.
import { distillCost } from '../../distill/distill-cost.js';
import type { EmDistill, EmFineTune, EmSubliminalArm } from './schema.js';

/** A fine-tune trains its variants side by side on the same rows. */
export const fineTuneCost = (f: Pick<EmFineTune, 'steps' | 'batchSize'>, variants: number): number => f.steps * f.batchSize * variants;

/** A subliminal arm distils twice: from the trait teacher, then from the control. */
export const subliminalCost = (distill: EmDistill, channel: EmSubliminalArm['channel']): number => 2 * distillCost(distill, channel);
