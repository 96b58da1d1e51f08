// The figure-by-figure comparison behind `traitlab verify`: exact on one backend, a stated
// tolerance across backends (with room for interval half-widths), every difference named by
// its JSON path, and the listing capped.
import { describe, expect, test } from 'vitest';
import { compareSummaries, formatDifferences } from '../../src/run/compare-summary.js';

const summary = () => ({
  experiment: 'x',
  backend: 'wasm',
  arms: [
    { name: 'a', accuracy: [0.5, 0.25], mean: 0.375, ci95: 0.1 },
    { name: 'b', transfer: [0.0123, -0.01], details: { 'odd-key': 1 } },
  ],
  claims: [{ id: 'c', effect: 0.2, interval: { low: null, high: 0.3 }, verdict: 'SUPPORTED' }],
});

describe('compareSummaries', () => {
  test('identical summaries: every number counted, no differences', () => {
    const r = compareSummaries(summary(), summary(), { tolerance: null });
    expect(r).toEqual({ numbers: 9, identical: 9, withinTolerance: 0, differences: [] });
  });

  test('exact: a last-digit change is a difference named by its path, with both values in full', () => {
    const b = summary();
    b.arms[1]!.transfer![0] = 0.012300000000000002;
    b.claims[0]!.interval.high = 0.31;
    const r = compareSummaries(summary(), b, { tolerance: null });
    expect(r.differences).toEqual([
      { path: 'arms[1].transfer[0]', stored: '0.0123', rerun: '0.012300000000000002' },
      { path: 'claims[0].interval.high', stored: '0.3', rerun: '0.31' },
    ]);
  });

  test('strings, nulls, missing keys, extra keys and array lengths are compared too; odd keys are quoted', () => {
    const b = summary() as ReturnType<typeof summary> & { extra?: number };
    b.claims[0]!.verdict = 'INCONCLUSIVE';
    (b.claims[0]!.interval as { low: number | null }).low = 0.1;
    b.arms[0]!.accuracy!.pop();
    delete (b.arms[0] as { ci95?: number }).ci95;
    b.arms[1]!.details!['odd-key'] = 2;
    b.extra = 1;
    const paths = compareSummaries(summary(), b, { tolerance: null }).differences.map((d) => `${d.path}: ${d.stored} → ${d.rerun}`);
    expect(paths).toEqual([
      'arms[0].accuracy: an array of 2 → an array of 1',
      'arms[0].ci95: 0.1 → (missing)',
      'arms[1].details["odd-key"]: 1 → 2',
      'claims[0].interval.low: null → 0.1',
      'claims[0].verdict: "SUPPORTED" → "INCONCLUSIVE"',
      'extra: (missing) → 1',
    ]);
  });

  test('with a tolerance: small differences pass, larger ones carry the reason; ci95 gets a relative allowance', () => {
    const b = summary();
    b.arms[0]!.accuracy![0] = 0.5009; // within 1e-3
    b.arms[0]!.mean = 0.3775; // 2.5e-3: beyond
    b.arms[0]!.ci95 = 0.104; // 4e-3 ≤ 1e-3 + 5 % of 0.104
    const r = compareSummaries(summary(), b, { tolerance: { absolute: 1e-3, intervalRelative: 0.05 } });
    expect(r.withinTolerance).toBe(2);
    expect(r.differences).toEqual([{ path: 'arms[0].mean', stored: '0.375', rerun: '0.3775', note: '|Δ| 2.5e-3 > 1.0e-3' }]);
  });

  test('ignored paths are skipped (backend, when verifying on another one)', () => {
    const b = { ...summary(), backend: 'cpu' };
    expect(compareSummaries(summary(), b, { tolerance: null }).differences.map((d) => d.path)).toEqual(['backend']);
    expect(compareSummaries(summary(), b, { tolerance: null, ignore: ['backend'] }).differences).toEqual([]);
  });
});

describe('formatDifferences', () => {
  test('lists at most `max`, then says how many more', () => {
    const diffs = Array.from({ length: 25 }, (_, i) => ({ path: `arms[${i}].mean`, stored: '1', rerun: '2' }));
    const lines = formatDifferences(diffs, 20);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('  arms[0].mean: stored 1 ≠ rerun 2');
    expect(lines[20]).toBe('  and 5 more');
    expect(formatDifferences(diffs.slice(0, 3), 20)).toHaveLength(3);
  });
});
