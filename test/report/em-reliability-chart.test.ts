// The EM-against-reliability figure (finding 3): drawn when the arms read three or more
// fine-tunes, one filled point per harmful-variant arm at its means, with both intervals; left
// out when the points would stack on one fine-tune.
import { describe, expect, test } from 'vitest';
import { emCharts } from '../../src/report/charts/em-charts.js';
import { renderSvg } from '../../src/report/charts/render-svg.js';
import type { EmReportSummary } from '../../src/report/summary-schema.js';

const stats = (mean: number, ci95: number) => ({ mean, ci95 });
const arm = (name: string, fineTune: string, variant: string, reliability: number, em: number) => ({
  name,
  variant,
  fineTune,
  evaluate: ['others'],
  em: [em, em],
  emStats: stats(em, 0.05),
  reliabilityStats: stats(reliability, 0.01),
  coherenceStats: stats(0.7, 0.02),
});
const summary = (arms: ReturnType<typeof arm>[]): EmReportSummary => ({
  experiment: 'x',
  seeds: 2,
  rootSeed: 0,
  backend: 'wasm',
  world: 'em',
  base: { harmStats: stats(0.2, 0.1), coherenceStats: stats(0.8, 0.02) },
  aligned: { harmStats: stats(0, 0), coherenceStats: stats(0.85, 0.02) },
  arms,
});

describe('EM against reliability', () => {
  test('three fine-tunes: one point per harmful arm (the secure arm left out), rendered with no warnings', async () => {
    const s = summary([arm('c100', 'next/chem', 'narrow', 0.99, 0.48), arm('c75', 'next/chem@a', 'narrow', 0.75, 0.28), arm('c50', 'next/chem@b', 'narrow', 0.49, 0.2), arm('secure', 'next/chem', 'secure', 0, 0)]);
    const chart = emCharts(s, null).find((c) => c.id === 'em-vs-reliability');
    expect(chart).toBeDefined();
    expect(chart!.section).toBe('result');
    const values = (chart!.spec as { data: { values: { label: string; x: number; yLo: number; yHi: number }[] } }).data.values;
    expect(values.map((v) => v.label)).toEqual(['c100', 'c75', 'c50']);
    expect(values[1]).toMatchObject({ x: 0.75, yLo: 0.28 - 0.05, yHi: 0.28 + 0.05 });
    const { svg, warnings } = await renderSvg(chart!.spec, 'em-vs-reliability');
    expect(warnings).toEqual([]);
    for (const label of ['c100', 'c75', 'c50']) expect(svg).toContain(label);
    expect(svg).toContain('in-cell reliability');
  });

  test('arms on fewer than three fine-tunes: no scatter (the points would stack)', () => {
    const s = summary([arm('a', 'next/chem', 'narrow', 0.99, 0.48), arm('b', 'next/chem', 'narrow', 0.99, 0.3), arm('c', 'map/chem', 'narrow', 0.98, 0.5)]);
    expect(emCharts(s, null).map((c) => c.id)).toEqual(['em-bars']);
  });
});
