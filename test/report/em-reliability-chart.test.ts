// The EM-against-reliability figure (finding 3): drawn when the arms read three or more
// fine-tunes, one filled point per harmful-variant arm at its means, with both intervals; left
// out when the points would stack on one fine-tune.
import { describe, expect, test } from 'vitest';
import { emCharts } from '../../src/worlds/em/charts.js';
import { renderSvg } from '../../src/report/charts/render-svg.js';
import { emArm, emSummary as summary } from '../support/report-fixtures.js';

const arm = (name: string, fineTune: string, variant: string, reliability: number, em: number) => emArm(name, fineTune, variant, reliability, em, { em: 0.05, reliability: 0.01 });

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
