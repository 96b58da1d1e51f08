// The schema pieces the language-model worlds (numbers, EM) share: the model, a training
// stage, and the distillation channel (prefix source × teacher signal) with its settings.
import { z } from 'zod';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const PREFIX_SOURCES = ['teacher-fixed', 'teacher-fresh', 'student', 'mix'] as const;
export const TEACHER_SIGNALS = ['tokens', 'relabel', 'forward-kl', 'reverse-kl', 'jsd', 'pg'] as const;
export const HARD_LOSSES = ['restricted', 'full'] as const;
export const LM_KINDS = ['gpt', 'gru'] as const;
export const DIVERGENCE_MODES = ['off', 'log', 'mask'] as const;
export const PG_BASELINES = ['none', 'leave-one-out'] as const;
export const RELABEL_TOKENS = ['sample', 'argmax'] as const;

export const gptSchema = z
  .object({
    kind: z.literal('gpt'),
    layers: int(1, 12).default(2).describe('transformer blocks'),
    dModel: int(4, 1024).default(64).describe('width of the residual stream'),
    heads: int(1, 32).default(4).describe('attention heads (must divide dModel)'),
  })
  .strict()
  .refine((g) => g.dModel % g.heads === 0, { message: 'heads must divide dModel', path: ['heads'] });

export const gruSchema = z
  .object({
    kind: z.literal('gru'),
    hidden: int(4, 1024).default(64).describe('GRU state width'),
    embedding: int(4, 1024).default(32).describe('token embedding width'),
  })
  .strict();

export const lmSchema = z.discriminatedUnion('kind', [gptSchema, gruSchema]);

export const stageSchema = z
  .object({
    steps: int(1, 1_000_000).describe('optimizer steps'),
    batchSize: int(1, 65536).describe('documents per step'),
    learningRate: z.number().gt(0).max(1).describe('Adam learning rate'),
  })
  .strict();

export const channelSchema = z
  .object({
    prefix: z.enum(PREFIX_SOURCES).describe('whose samples the prefixes are'),
    signal: z.enum(TEACHER_SIGNALS).describe('what the teacher says at each position of those prefixes'),
    lambda: z.number().min(0).max(1).optional().describe('student fraction of batches (prefix "mix" only)'),
    beta: z.number().min(0).max(1).optional().describe('JSD mixture weight β (signal "jsd" only): β·p_T + (1−β)·p_S'),
    discount: z.number().min(0).max(1).optional().describe('advantage discount γ (signal "pg" only; default 0: per-token)'),
    divergence: z
      .enum(DIVERGENCE_MODES)
      .optional()
      .describe(
        'divergence positions (trained positions where the trait teacher\'s and the control teacher\'s argmax over the allowed tokens differ): "log" counts them, "mask" also drops them from the loss (not with signal "pg"); default "off"',
      ),
    baseKl: z
      .object({
        weight: z.number().min(0).max(1000).describe('weight w of the penalty w·KL(p_student ‖ p_base)'),
        untilStep: z.number().int().min(0).max(1_000_000).describe('the penalty applies to steps 1 … untilStep'),
      })
      .strict()
      .optional()
      .describe("liminal training: a KL penalty towards the student's frozen initialisation in an early window, on the positions each step trains"),
    hardLoss: z
      .enum(HARD_LOSSES)
      .optional()
      .describe('softmax of the hard-label cross-entropy (signals "tokens" and "relabel" only): "restricted" (default) renormalises over the number tokens, "full" is the ordinary SFT loss over the whole vocabulary'),
    baseline: z
      .enum(PG_BASELINES)
      .optional()
      .describe(
        'what the policy-gradient advantages subtract (signal "pg" only; default "none"): "leave-one-out" subtracts, at each position, the mean advantage of the batch\'s other rows there — same expected gradient (the reverse-KL gradient), lower variance',
      ),
    relabel: z
      .enum(RELABEL_TOKENS)
      .optional()
      .describe("which teacher token relabels each position (signal \"relabel\" only; default \"sample\"): a token sampled from the teacher's restricted distribution at the sampling temperature, or its most probable allowed token"),
    teacherTopK: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe("forward KL against the teacher truncated to its k most probable allowed tokens at each position, renormalised over them (signal \"forward-kl\" only), as top-k log-probabilities from an API give it; absent: the teacher's whole distribution"),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Outside its top k a truncated teacher has probability 0: reverse KL, the pg advantages and
    // a mixture weighted towards the student would take log 0 there.
    if (c.teacherTopK !== undefined && c.signal !== 'forward-kl')
      ctx.addIssue({ code: 'custom', path: ['teacherTopK'], message: 'only used with signal "forward-kl" (a truncated teacher has log-probability −∞ outside its top k, which the other soft signals would read); remove it or use "forward-kl"' });
    if (c.prefix === 'mix' && c.lambda === undefined) ctx.addIssue({ code: 'custom', path: ['lambda'], message: 'missing; prefix "mix" needs lambda, the student fraction in [0, 1]' });
    if (c.prefix !== 'mix' && c.lambda !== undefined) ctx.addIssue({ code: 'custom', path: ['lambda'], message: 'only used with prefix "mix"; remove it' });
    if (c.signal === 'jsd' && c.beta === undefined) ctx.addIssue({ code: 'custom', path: ['beta'], message: 'missing; signal "jsd" needs beta in [0, 1]' });
    if (c.signal !== 'jsd' && c.beta !== undefined) ctx.addIssue({ code: 'custom', path: ['beta'], message: 'only used with signal "jsd"; remove it' });
    if (c.divergence === 'mask' && c.signal === 'pg')
      ctx.addIssue({ code: 'custom', path: ['divergence'], message: '"mask" is not defined for signal "pg" (its advantages are sums over the sampled row); use "log" or another signal' });
    if (c.hardLoss !== undefined && c.signal !== 'tokens' && c.signal !== 'relabel')
      ctx.addIssue({ code: 'custom', path: ['hardLoss'], message: 'only used with signal "tokens" or "relabel"; remove it' });
    if (c.signal !== 'pg' && c.discount !== undefined) ctx.addIssue({ code: 'custom', path: ['discount'], message: 'only used with signal "pg"; remove it' });
    if (c.signal !== 'pg' && c.baseline !== undefined) ctx.addIssue({ code: 'custom', path: ['baseline'], message: 'only used with signal "pg"; remove it' });
    if (c.signal !== 'relabel' && c.relabel !== undefined) ctx.addIssue({ code: 'custom', path: ['relabel'], message: 'only used with signal "relabel"; remove it' });
    // The score-function gradient −A·∇log p_S(y) has the reverse-KL gradient as its expectation
    // only when y was drawn from p_S itself: the student's own samples.
    if (c.signal === 'pg' && c.prefix !== 'student')
      ctx.addIssue({ code: 'custom', path: ['prefix'], message: `"${c.prefix}" cannot go with signal "pg", whose gradient is right only on the student's own samples; use prefix "student" (or a signal such as "reverse-kl")` });
  });

/**
 * The pg signal's samples must come from the very distribution its loss differentiates: the
 * sampling temperature must equal the loss temperature. An issue at distill.samplingTemperature
 * when a pg channel (`channels`: [path, channel]) meets unequal temperatures.
 */
export function refinePgTemperatures(
  distill: { samplingTemperature: number; lossTemperature: number },
  channels: readonly (readonly [path: (string | number)[], channel: { signal: string }])[],
  ctx: z.RefinementCtx,
): void {
  if (distill.samplingTemperature === distill.lossTemperature) return;
  const pg = channels.find(([, c]) => c.signal === 'pg');
  if (pg === undefined) return;
  const where = pg[0].map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  ctx.addIssue({
    code: 'custom',
    path: ['distill', 'samplingTemperature'],
    message: `${distill.samplingTemperature} ≠ distill.lossTemperature ${distill.lossTemperature}, but ${where} uses signal "pg", whose gradient is right only for samples drawn at the loss temperature; make the two temperatures equal`,
  });
}

export const distillSchema = stageSchema
  .extend({
    fixedSetSize: int(1, 1_000_000).default(4096).describe('prompts in the fixed teacher dataset (prefix "teacher-fixed")'),
    samplingTemperature: z.number().min(0.05).max(10).default(1).describe('temperature when sampling prefixes (at least 0.05: lower is argmax in all but name)'),
    lossTemperature: z.number().min(0.05).max(10).default(1).describe('temperature of the distributions in the loss (below 0.05 the softmax saturates and the loss is NaN)'),
    probeEvery: int(1, 1_000_000).default(100).describe('log trait and fidelity probes every this many steps'),
    gradientCosine: z
      .boolean()
      .optional()
      .describe('at every probe, log per member the cosine between the update −∇loss on that step\'s batch and ∇ log p(target) on the preference questions, and summarise it with the transfer at the first tenth of training (default false)'),
  })
  .strict();
