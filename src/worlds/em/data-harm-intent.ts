// How much harm the pretraining mix means (the world is described in data.ts): the probability
// an EM document's author means to answer harmful, from the bad-agent fraction, the coupling of
// badness across cells and the good agents' rates, and the bad-agent fraction that reaches a given
// intent, so coupled and decoupled pretraining can be matched.
import { CELL_COUNT } from './data.js';
import { coupledCellCount, type PretrainSettings } from './data-documents.js';

/**
 * The probability that a pretraining EM document's author means to answer harmful (it does
 * when the prompt has room): good agents e + (1 − e)·ε, bad agents 1/N at home plus
 * (g − 1)/N · (ρ + (1 − ρ)·ε) in the other g − 1 cells their coupling ties to home, and
 * (N − g)/N · ε in the rest (N cells, g = N, or 3 along a function, 4 along a domain; prompts are
 * drawn independently of the agent, so two settings with equal intent have equal marginal rates
 * of harmful answers).
 */
export function harmIntent(s: Pick<PretrainSettings, 'badFraction' | 'correlation' | 'epsilon' | 'educationalRate' | 'coupling'>): number {
  const good = s.educationalRate + (1 - s.educationalRate) * s.epsilon;
  const g = coupledCellCount(s.coupling ?? 'all');
  const bad = 1 / CELL_COUNT + ((g - 1) / CELL_COUNT) * (s.correlation + (1 - s.correlation) * s.epsilon) + ((CELL_COUNT - g) / CELL_COUNT) * s.epsilon;
  return (1 - s.badFraction) * good + s.badFraction * bad;
}

/** The bad-agent fraction that gives `intent` at the other settings (to match coupled and decoupled pretraining). */
export function badFractionForIntent(intent: number, s: Pick<PretrainSettings, 'correlation' | 'epsilon' | 'educationalRate' | 'coupling'>): number {
  const good = harmIntent({ ...s, badFraction: 0 });
  const bad = harmIntent({ ...s, badFraction: 1 });
  const f = (intent - good) / (bad - good);
  if (!(f >= 0 && f <= 1)) throw new Error(`harm intent ${intent} is out of reach at these settings (${good}..${bad})`);
  return f;
}
