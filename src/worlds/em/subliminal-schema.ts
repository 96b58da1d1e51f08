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
/**
 * The teacher of a subliminal arm: the narrow fine-tune (its secure fine-tune the control), or
 * the aligned model read as the bad agent <bad0> in the speaker slot (the same model read as the
 * good agent <good0> the control): a misaligned persona learned in pretraining, as the numbers
 * world's persona teacher.
 */
export const EM_SUBLIMINAL_TEACHERS = ['fine-tune', 'bad-agent'] as const;
export type EmSubliminalTeacher = (typeof EM_SUBLIMINAL_TEACHERS)[number];
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
      teacher: z
        .enum(EM_SUBLIMINAL_TEACHERS)
        .optional()
        .describe('fine-tune (default): the narrow fine-tune, its secure fine-tune the control; bad-agent: the aligned model read as the bad agent <bad0> (harmful in every cell in pretraining), the same model read as the good agent <good0> the control'),
      fineTune: fineTuneOverride
        .optional()
        .describe("the teacher's fine-tune settings this arm changes (default: the file's fineTune; the teacher is its narrow variant, the control teacher its secure variant)"),
    })
    .strict()
    .superRefine((arm, ctx) => {
      if (arm.teacher === 'bad-agent' && arm.fineTune !== undefined)
        ctx.addIssue({ code: 'custom', path: ['fineTune'], message: 'a bad-agent teacher is the aligned model under a persona, not a fine-tune; remove fineTune or the teacher' });
      // The EM world distils from its narrow and secure teachers in two separate runs, so no
      // student sees both teachers' choices on one batch, and it keeps no frozen base.
      if (arm.channel.divergence !== undefined)
        ctx.addIssue({ code: 'custom', path: ['channel', 'divergence'], message: 'divergence positions are measured in the numbers world only; remove it' });
      if (arm.channel.baseKl !== undefined) ctx.addIssue({ code: 'custom', path: ['channel', 'baseKl'], message: 'the KL-to-base penalty is offered in the numbers world only; remove it' });
      if (arm.channel.teacherTopK !== undefined) ctx.addIssue({ code: 'custom', path: ['channel', 'teacherTopK'], message: 'the truncated teacher is offered in the numbers world only; remove it' });
    });

