// Subliminal misalignment in EM files (docs/science.md, end of §2): the narrow fine-tune as
// teacher, an aligned model as student (same init as the teacher's, or another init on the same
// data), distilled only through the neutral SEQ task — no EM-domain token in any prompt,
// sample or target (audited) — along the two axes of the channel (docs/science.md §4). The same
// student distilled the same way from the secure fine-tune is the control: the student's EM is
// its harm minus that control's, per seed.
import { z } from 'zod';
import { nameField } from '../../config/limits.js';
import { channelSchema, distillSchema } from '../lm/schema.js';

export const EM_STUDENTS = ['same-init', 'cross-init'] as const;
export type EmStudent = (typeof EM_STUDENTS)[number];

/** The metrics a claim may read of a subliminal arm (all per seed, over the 12 cells' default probe sets). */
export const EM_SUBLIMINAL_METRICS = ['em', 'harm', 'controlHarm', 'coherence'] as const;

export const emDistillSchema = distillSchema
  .refine((d) => d.gradientCosine === undefined, { path: ['gradientCosine'], message: 'the gradient-alignment probe is measured in the numbers world only; remove it' })
  .describe('the distillation channel of the subliminal arms: steps, batch, learning rate, fixed teacher set, temperatures, probe interval');

/** A subliminal arm; `fineTuneOverride` is the EM schema's partial fine-tune (passed in: that schema imports this file). */
export const emSubliminalArmSchema = <F extends z.ZodType>(fineTuneOverride: F) =>
  z
    .object({
      name: nameField().describe('label printed in the table (unique among arms and subliminal arms)'),
      student: z.enum(EM_STUDENTS).describe('same-init: the aligned model the teacher was fine-tuned from; cross-init: an aligned model from a base pretrained from other init seeds on the same data'),
      channel: channelSchema.describe('prefix source and teacher signal of the neutral-task distillation'),
      fineTune: fineTuneOverride
        .optional()
        .describe("the teacher's fine-tune settings this arm changes (default: the file's fineTune; the teacher is its narrow variant, the control teacher its secure variant)"),
    })
    .strict()
    .superRefine((arm, ctx) => {
      // The EM world distils from its narrow and secure teachers in two separate runs, so no
      // student sees both teachers' choices on one batch, and it keeps no frozen base.
      if (arm.channel.divergence !== undefined)
        ctx.addIssue({ code: 'custom', path: ['channel', 'divergence'], message: 'divergence positions are measured in the numbers world only; remove it' });
      if (arm.channel.baseKl !== undefined) ctx.addIssue({ code: 'custom', path: ['channel', 'baseKl'], message: 'the KL-to-base penalty is offered in the numbers world only; remove it' });
      if (arm.channel.teacherTopK !== undefined) ctx.addIssue({ code: 'custom', path: ['channel', 'teacherTopK'], message: 'the truncated teacher is offered in the numbers world only; remove it' });
    });

