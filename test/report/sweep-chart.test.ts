// The sweep chart's data and axes: one swept setting gives a line per arm in one panel; two give
// a panel per arm and a line per value of the second setting; a wide numeric range is a log axis.
import { describe, expect, test } from 'vitest';
import { logAxis, sweepChartSpec } from '../../src/plot/sweep-chart.js';
import { sweepChartRows } from '../../src/report/sweep/sweep-report.js';
import type { SweepSummary } from '../../src/report/sweep/sweep-summary.js';

function summary(sweep: SweepSummary['sweep']): SweepSummary {
  const combos = sweep.length === 1 ? sweep[0]!.values.map((v) => [v]) : sweep[0]!.values.flatMap((a) => sweep[1]!.values.map((b) => [a, b]));
  return {
    experiment: 'x',
    world: 'mnist',
    sweep,
    metric: 'accuracy',
    seeds: 2,
    rootSeed: 0,
    backend: 'wasm',
    interval: '',
    points: combos.map((vals, index) => ({
      index,
      label: `p${index}`,
      dir: `points/${index}-p${index}`,
      settings: Object.fromEntries(sweep.map((e, k) => [e.path, vals[k]])),
      arms: [
        { name: 'same', values: [0.5, 0.7], mean: 0.6, ci95: 0.1 * (index + 1) },
        { name: 'cross', values: [0.1, 0.1], mean: 0.1, ci95: null },
      ],
      claims: [],
    })),
  };
}

describe('sweep chart', () => {
  test('one setting: a line per arm, the interval as lo/hi, no interval for one value', () => {
    const { rows, series, panels } = sweepChartRows(summary([{ path: 'distill.epochs', values: [1, 40] }]));
    expect(series).toEqual(['same', 'cross']);
    expect(panels).toEqual([]);
    expect(rows[2]).toEqual({ x: 40, series: 'same', panel: '', mean: 0.6, lo: 0.6 - 0.2, hi: 0.6 + 0.2 });
    expect(rows[3]).toMatchObject({ x: 40, series: 'cross', lo: null, hi: null });
  });

  test('two settings: a panel per arm, a line per value of the second', () => {
    const { rows, series, panels } = sweepChartRows(summary([{ path: 'distill.epochs', values: [1, 2] }, { path: 'model.auxLogits', values: [3, 10] }]));
    expect(panels).toEqual(['same', 'cross']);
    expect(series).toEqual(['model.auxLogits = 3', 'model.auxLogits = 10']);
    expect(rows.filter((r) => r.panel === 'same').map((r) => [r.x, r.series])).toEqual([
      [1, 'model.auxLogits = 3'],
      [1, 'model.auxLogits = 10'],
      [2, 'model.auxLogits = 3'],
      [2, 'model.auxLogits = 10'],
    ]);
    const spec = sweepChartSpec({ rows, xTitle: 'distill.epochs', xValues: [1, 2], yTitle: 'accuracy', seriesTitle: 'model.auxLogits', series, panels, range: { min: 0, max: 1 } }) as unknown as { facet: { field: string } };
    expect(spec.facet.field).toBe('panel');
  });

  test('epochs 1…40 are drawn on a log axis; 1…10 and words are not', () => {
    expect(logAxis([1, 2, 5, 10, 20, 40])).toBe(true);
    expect(logAxis([1, 2, 5, 10])).toBe(false);
    expect(logAxis(['aux', 'all'])).toBe(false);
    const spec = sweepChartSpec({ rows: [], xTitle: 'arms[0].logits', xValues: ['aux', 'all'], yTitle: 'accuracy', seriesTitle: 'arm', series: [], panels: [] }) as unknown as { layer: { encoding: { x: { type: string; sort: string[] } } }[] };
    expect(spec.layer[1]!.encoding.x).toMatchObject({ type: 'ordinal', sort: ['aux', 'all'] });
  });

  test('intervals are cut at the metric range', () => {
    const spec = sweepChartSpec({ rows: [{ x: 1, series: 's', panel: '', mean: 0.95, lo: 0.8, hi: 1.1 }], xTitle: 'x', xValues: [1], yTitle: 'accuracy', seriesTitle: 'arm', series: ['s'], panels: [], range: { min: 0, max: 1 } }) as unknown as { data: { values: { hi: number }[] } };
    expect(spec.data.values[0]!.hi).toBe(1);
  });
});
