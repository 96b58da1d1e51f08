// The report's numbers results table shows each arm's drift TV (trait / control), and – for a
// summary written before the drift was measured.
import { describe, expect, test } from 'vitest';
import { numbersResultsTable } from '../../src/worlds/numbers/results-table.js';
import { numbersSummarySchema } from '../../src/worlds/numbers/report-summary.js';
import { armDrift } from '../../src/probes/drift.js';
import { meanCi } from '../../src/probes/stats.js';

const traitStats = (xs: number[]) => ({ trait: xs, traitStats: meanCi(xs) });
const summary = (withDrift: boolean) =>
  numbersSummarySchema.parse({
    experiment: 'x',
    world: 'numbers',
    seeds: 2,
    rootSeed: 0,
    backend: 'wasm',
    target: 'owl',
    base: traitStats([0.1, 0.2]),
    teacher: traitStats([0.9, 0.9]),
    controlTeacher: traitStats([0.1, 0.1]),
    interval: 'mean ± half-width',
    arms: [
      {
        name: 'a',
        student: 'same-init',
        channel: { prefix: 'teacher-fixed', signal: 'tokens' },
        transfer: [0.1, 0.2],
        transferStats: meanCi([0.1, 0.2]),
        traitStats: meanCi([0.3, 0.4]),
        audit: { traitTokens: 0 },
        // TV: trait students 0.1, 0.2; controls 0, 0.1
        ...(withDrift ? { drift: armDrift([[0.2, 0.8], [0.5, 0.5], [0.2, 0.8], [0.5, 0.5]], [[0.3, 0.7], [0.7, 0.3], [0.2, 0.8], [0.6, 0.4]], 0, 2) } : {}),
      },
    ],
  });

describe('numbersResultsTable', () => {
  test('a drift TV column: trait / control mean', () => {
    const html = numbersResultsTable(summary(true));
    expect(html).toContain('<th>drift TV</th>');
    expect(html).toMatch(/>0\.150 \/ 0\.050</);
  });
  test('– when the summary has no drift', () => {
    const html = numbersResultsTable(summary(false));
    expect(html).not.toMatch(/0\.150 \/ 0\.050/);
    expect(html).toMatch(/>–<\/td><td[^>]*>0</);
  });
});
