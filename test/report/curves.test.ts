// Curves from metrics records (mean and 95 % t band per logged step) and the SVG id
// namespacing that keeps several charts' clip paths apart in one page.
import { expect, test } from 'vitest';
import { namespaceIds } from '../../src/report/charts/render-svg.js';
import { curveMetrics, curvePoints } from '../../src/plot/curves.js';
import { meanCi } from '../../src/probes/stats.js';

const records = [
  { stage: 'a', step: 0, transfer: [0, 0, 0] },
  { stage: 'a', step: 100, transfer: [0.01, 0.02, 0.03], source: 'teacher' },
  { stage: 'b', step: 100, transfer: [0.5, 0.5, 0.5] }, // one step: an evaluation, not a curve
  { stage: 'c', step: 0, transfer: [0.1, null, 0.3] },
  { stage: 'c', step: 1, transfer: [null, null] },
  { stage: 'c', step: 2, transfer: [0.2] },
  { stage: 'teacher', step: 5, loss: [1, 2] },
  { stage: 'teacher', step: 10, loss: [0.5, 1], testAccuracy: [0.9, 0.8] },
];

test('mean and t band per step; single-step stages and unplaced stages left out', () => {
  const pts = curvePoints(records, 'transfer', (stage) => (stage === 'teacher' ? null : { group: 'g', series: stage.toUpperCase() }));
  const { mean, ci95 } = meanCi([0.01, 0.02, 0.03]);
  expect(pts.filter((p) => p.series === 'A')).toEqual([
    { group: 'g', series: 'A', step: 0, mean: 0, lo: 0, hi: 0, n: 3 },
    { group: 'g', series: 'A', step: 100, mean, lo: mean - ci95, hi: mean + ci95, n: 3 },
  ]);
  expect(pts.some((p) => p.series === 'B')).toBe(false);
});

test('missing values (null, as JSON writes NaN) are dropped; one seed left has no band', () => {
  const c = curvePoints(records, 'transfer', (stage) => ({ group: '', series: stage })).filter((p) => p.series === 'c');
  expect(c.map((p) => [p.step, p.n])).toEqual([
    [0, 2],
    [2, 1],
  ]);
  expect(c[1]).toMatchObject({ mean: 0.2, lo: 0.2, hi: 0.2 });
});

test('curveMetrics: per-seed arrays logged at two or more steps of a stage', () => {
  expect(curveMetrics(records).sort()).toEqual(['loss', 'transfer']);
});

test('namespaceIds renames every id and its references, in order', () => {
  const svg = '<svg><defs><clipPath id="clip7"><rect/></clipPath></defs><g clip-path="url(#clip7)"/><use href="#clip7"/><g id="x"/></svg>';
  expect(namespaceIds(svg, 'chart')).toBe('<svg><defs><clipPath id="chart-1"><rect/></clipPath></defs><g clip-path="url(#chart-1)"/><use href="#chart-1"/><g id="chart-2"/></svg>');
});
