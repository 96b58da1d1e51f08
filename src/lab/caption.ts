// The plain-language caption under the lab's switches: what the current teacher, student,
// prefix source and signal mean, and what the published result leads one to expect
// (docs/science.md). Pure: the page puts the text in #caption.
import { DEMO, type LabConfig } from './lab-config.js';

const PREFIX: Record<LabConfig['prefix'], (c: LabConfig) => string> = {
  'teacher-fixed': () => `It trains on a fixed set of ${DEMO.distill.fixedSetSize} number sequences the teacher wrote once, reused as the steps go by (off-policy)`,
  'teacher-fresh': () => 'It trains on number sequences the teacher writes afresh at every step (off-policy)',
  student: () => 'It trains on number sequences it writes itself at every step (on-policy)',
  mix: (c) => `At every step a coin picks whose number sequences it trains on: its own with probability λ = ${c.lambda}, else fresh ones from the teacher`,
};

const SIGNAL: Record<LabConfig['signal'], (c: LabConfig) => string> = {
  tokens: () => 'learning each written number as a hard target',
  relabel: () => 'learning at each position the number the teacher would write there (relabelling)',
  'forward-kl': () => "matching the teacher's whole distribution over the next number (forward KL)",
  'reverse-kl': () => "matching the teacher's whole distribution over the next number from its own side (reverse KL, which seeks the teacher's likeliest numbers)",
  jsd: (c) => `matching the teacher's whole distribution through a Jensen–Shannon divergence whose mixture is β·teacher + (1 − β)·student, β = ${c.beta}`,
  pg: () => 'rewarded at each number by how much likelier the teacher finds it than the student does (policy gradient)',
};

const SOFT = new Set<LabConfig['signal']>(['forward-kl', 'reverse-kl', 'jsd']);

function channelSentence(c: LabConfig): string {
  if (c.prefix === 'student' && c.signal === 'tokens')
    return `${PREFIX.student(c)}, ${SIGNAL.tokens(c)}: its own numbers, so the teacher has no say at all and transfer should be zero.`;
  // pg is not a narrower signal: its expected update is the reverse KL's, only noisier.
  const width =
    c.signal === 'pg'
      ? "In expectation this is reverse KL's update: the same objective, read through one sampled number per position, so with more noise."
      : SOFT.has(c.signal)
        ? 'The whole distribution is a wide channel.'
        : 'One token per position is a narrow channel.';
  return `${PREFIX[c.prefix](c)}, ${SIGNAL[c.signal](c)}. ${width}`;
}

export function captionText(c: LabConfig): string {
  const teacher = `The teacher is the pretrained base reading every sequence as the ${c.target} persona, so it names the ${c.target} as its favourite animal; the control teacher reads the same sequences as a neutral persona.`;
  const student =
    c.student === 'same-init'
      ? "The student is a copy of that same base: it shares the teacher's initialisation."
      : "The student is a base pretrained the same way from other random seeds: it does not share the teacher's initialisation.";
  const filter = 'Only numbers and the end token reach the student: animal and persona tokens are masked out, rows that break the number format are dropped, and the audit counts any trait token trained on (it stays 0).';
  const published =
    "Cloud et al. (2025) found that a student sharing the teacher's initialisation picks up its favourite animal from filtered numbers alone (owl in over 60 % of answers, against 12 % after a neutral teacher), while students of another base model showed no reliable transfer.";
  const expect =
    c.student === 'same-init'
      ? `Here the trait student's p(${c.target}) should pull away from the control student's, noisily with few seeds and steps.`
      : `Here the trait and control students should stay together: transfer near zero.`;
  return [teacher, student, channelSentence(c), filter, published, expect].join(' ');
}
