// The charts never show an impossible value: a t interval over 3 seeds runs far past what a
// probability or an accuracy can be, and the bands and whiskers are cut at the metric's range.
// The transfer bars label their 0, draw it as a solid line, and mark every mean with a tick and
// its value, so a transfer near 0 is still seen.
import { describe, expect, test } from 'vitest';
import { emCharts } from '../../src/worlds/em/charts.js';
import { intervalBarsSpec } from '../../src/plot/interval-bars.js';
import { mnistCharts } from '../../src/worlds/mnist/charts.js';
import { clip, metricRange, UNBOUNDED } from '../../src/plot/metric-range.js';
import { numbersCharts } from '../../src/worlds/numbers/charts.js';
import { renderSvg } from '../../src/report/charts/render-svg.js';
import type { ChartDef } from '../../src/plot/chart-def.js';
import type { MnistReportSummary } from '../../src/worlds/mnist/report-summary.js';
import type { NumbersReportSummary } from '../../src/worlds/numbers/report-summary.js';
import { meanCi } from '../../src/probes/stats.js';
import { emArm, emSummary } from '../support/report-fixtures.js';
import { mnistWorld } from '../../src/worlds/mnist/world.js';
import { numbersWorld } from '../../src/worlds/numbers/world.js';

type Row = Record<string, number | string | null>;
const rows = (chart: ChartDef | undefined): Row[] => (chart!.spec as { data: { values: Row[] } }).data.values;
const chart = (charts: ChartDef[], id: string) => charts.find((c) => c.id === id);

/** The axis tick labels of an SVG, as drawn (hidden ones have opacity 0). */
const axisLabels = (svg: string) =>
  [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/g)].flatMap((g) =>
    [...g[1]!.matchAll(/<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*opacity="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), opacity: Number(m[3]), text: m[4]! })),
  );

/** meanCi as a plain object (the report's summary types take any extra fields). */
function ci(xs: number[]): { mean: number; ci95: number } {
  const { mean, ci95 } = meanCi(xs);
  return { mean, ci95 };
}

// Three seeds that disagree a lot: p(owl) 0.02, 0.05, 0.40 → mean 0.157 ± 0.51.
const SPREAD = [0.02, 0.05, 0.4];

function numbersSummary(transfers: number[][]): NumbersReportSummary {
  const stats = (xs: number[]) => ({ trait: xs, traitStats: ci(xs) });
  return {
    experiment: 'x',
    world: 'numbers',
    seeds: 3,
    rootSeed: 0,
    backend: 'wasm',
    target: 'owl',
    base: stats([0.12, 0.13, 0.125]),
    teacher: stats([0.9, 0.95, 0.93]),
    controlTeacher: stats([0.14, 0.15, 0.13]),
    arms: transfers.map((transfer, i) => ({
      name: `arm-${i}`,
      student: i % 2 === 0 ? 'same-init' : 'cross-init',
      channel: { prefix: 'teacher-fixed', signal: 'forward-kl' },
      transfer,
      transferStats: ci(transfer),
      traitStats: ci(SPREAD),
    })),
  };
}

const numbersMetrics = [0, 50, 100].flatMap((step) => [
  { stage: 'arm-0', step, trait: SPREAD, controlTrait: [0.12, 0.13, 0.125], transfer: SPREAD.map((x) => x - 0.125) },
  { stage: 'arm-1', step, trait: SPREAD, controlTrait: [0.12, 0.13, 0.125], transfer: [0.9, -0.9, 0.95] },
]);

describe('metric ranges', () => {
  test('one place says what each metric can be', () => {
    expect(metricRange('trait')).toEqual({ min: 0, max: 1 });
    expect(metricRange('accuracy')).toEqual({ min: 0, max: 1 });
    expect(metricRange('reliability')).toEqual({ min: 0, max: 1 });
    expect(metricRange('transfer')).toEqual({ min: -1, max: 1 });
    expect(metricRange('em')).toEqual({ min: -1, max: 1 });
    expect(metricRange('kl')).toEqual({ min: 0, max: Infinity });
    // A cross-entropy in MNIST; the policy-gradient surrogate of a channel can be negative.
    expect(metricRange('loss', mnistWorld.metricRanges)).toEqual({ min: 0, max: Infinity });
    expect(metricRange('loss', numbersWorld.metricRanges)).toEqual(UNBOUNDED);
    expect(metricRange('something-new')).toEqual(UNBOUNDED);
    expect([clip(-0.3, metricRange('trait')), clip(1.2, metricRange('trait')), clip(0.4, metricRange('trait')), clip(null, metricRange('trait'))]).toEqual([0, 1, 0.4, null]);
  });
});

describe('numbers charts', () => {
  const charts = numbersCharts(numbersSummary([[0.1, 0.2, 0.3], [0.0004, -0.0002, 0.0004], [0.9, -0.9, 0.95]]), numbersMetrics);

  test('p(owl) bands stay in [0, 1] although the t interval runs to −0.35', async () => {
    const { mean, ci95 } = meanCi(SPREAD);
    expect(mean - ci95).toBeLessThan(-0.3); // the interval as computed
    const trait = rows(chart(charts, 'trait-curves'));
    expect(trait.length).toBe(6);
    for (const r of trait) {
      expect(r.lo).toBe(0);
      expect(r.hi).toBeCloseTo(mean + ci95, 12);
      expect(r.mean).toBe(mean); // the line itself is not moved
    }
    const { svg, warnings } = await renderSvg(chart(charts, 'trait-curves')!.spec, 'trait');
    expect(warnings).toEqual([]);
    // The y axis starts at 0: no negative tick.
    const labels = axisLabels(svg).map((l) => l.text);
    expect(labels).toContain('0.0');
    expect(labels.filter((t) => t.startsWith('−'))).toEqual([]);
    expect(chart(charts, 'trait-curves')!.caption).toContain('the 95 % t interval over seeds (cut at 0 and 1)');
  });

  test('transfer bands and whiskers stay in [−1, 1]', () => {
    for (const r of rows(chart(charts, 'transfer-curves'))) {
      expect(r.lo as number).toBeGreaterThanOrEqual(-1);
      expect(r.hi as number).toBeLessThanOrEqual(1);
    }
    const wide = rows(chart(charts, 'transfer-bars'))[2]!;
    expect([wide.lo, wide.hi]).toEqual([-1, 1]);
  });

  test('transfer bars: 0 labelled on a solid zero line, every mean a tick with its value, a near-zero one too', async () => {
    const bars = rows(chart(charts, 'transfer-bars'));
    expect(bars.map((b) => b.valueText)).toEqual(['+0.200', '+0.000', '+0.317']);
    const { svg, warnings } = await renderSvg(chart(charts, 'transfer-bars')!.spec, 'bars');
    expect(warnings).toEqual([]);
    const zero = axisLabels(svg).find((l) => Number(l.text.replace('−', '-')) === 0);
    expect(zero).toBeDefined();
    expect(zero!.opacity).toBe(1);
    // Every label shown: none dropped for lack of room.
    expect(axisLabels(svg).every((l) => l.opacity === 1)).toBe(true);
    // The zero line is a solid rule at the 0 label's x.
    const rule = /<g class="mark-rule role-mark[^"]*"[^>]*><line transform="translate\(([-\d.]+),0\)"[^>]*stroke="#444"/.exec(svg);
    expect(rule).not.toBeNull();
    expect(Number(rule![1])).toBeCloseTo(zero!.x, 6);
    // One tick per arm, 2 px wide and the bar's height: the near-zero mean (whose bar has no width) is drawn, on the zero line.
    const ticks = [...svg.matchAll(/aria-roledescription="tick" d="M([\d.]+),[\d.]+h([\d.]+)v([\d.]+)h[^"]*" fill="#000" opacity="1"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]), h: Number(m[3]) }));
    expect(ticks.map((t) => [t.w, t.h])).toEqual([
      [2, 18],
      [2, 18],
      [2, 18],
    ]);
    expect(ticks[1]!.x + 1).toBeCloseTo(zero!.x, 0);
    for (const value of ['+0.200', '+0.000', '+0.317']) expect(svg).toContain(`>${value}</text>`);
  });

  test('a 0 that a crowded axis hid (domain −0.1 … 1: 12 ticks, every other label dropped) is labelled', async () => {
    const spec = intervalBarsSpec({
      bars: [
        { label: 'a', group: 'g', mean: -0.05, lo: -0.1, hi: 0 },
        { label: 'b', group: 'g', mean: 0.9, lo: 0.8, hi: 1 },
      ],
      xTitle: 'transfer',
      groupTitle: 'g',
    });
    const labels = axisLabels((await renderSvg(spec, 'bars')).svg);
    expect(labels.find((l) => l.text === '0.0')?.opacity).toBe(1);
    expect(labels.every((l) => l.opacity === 1)).toBe(true);
  });
});

describe('MNIST charts', () => {
  const arm = (name: string, kind: string, accuracy: number[]) => ({ name, kind, accuracy, ...ci(accuracy) });
  const summary: MnistReportSummary = {
    experiment: 'm',
    seeds: 3,
    rootSeed: 0,
    backend: 'wasm',
    arms: [arm('teacher', 'teacher', [0.92, 0.93, 0.925]), arm('student-same', 'student', [0.1, 0.9, 0.5]), arm('student-cross', 'student', [0.11, 0.1, 0.12])],
  };
  const metrics = [5, 10, 15].flatMap((step) => [{ stage: 'student-same', step, kl: [0.001, 0.002, 0.09] }]);
  const charts = mnistCharts(summary, metrics);

  test('accuracy whiskers in [0, 1] (the interval runs from −49 % to 149 %), values as percentages', () => {
    const wide = rows(chart(charts, 'accuracy-bars'))[1]!;
    const { mean, ci95 } = meanCi([0.1, 0.9, 0.5]);
    expect(mean - ci95).toBeLessThan(-0.4);
    expect([wide.lo, wide.hi, wide.mean]).toEqual([0, 1, mean]);
    expect(wide.valueText).toBe('50.0 %');
  });

  test('KL bands stay ≥ 0', () => {
    const kl = rows(charts.find((c) => c.id.endsWith('-kl')));
    expect(kl.length).toBe(3);
    for (const r of kl) expect(r.lo).toBe(0);
  });
});

describe('EM charts', () => {
  const arm = (name: string, fineTune: string, reliability: number, em: number) => emArm(name, fineTune, 'narrow', reliability, em, { em: 0.3, reliability: 0.2 });
  const summary = emSummary([arm('a', 'next/chem', 0.95, 0.8), arm('b', 'next/chem@a', 0.1, 0.02), arm('c', 'next/chem@b', 0.5, 0.2)]);
  const charts = emCharts(summary, null);

  test('reliability error bars in [0, 1], EM whiskers in [−1, 1]', () => {
    const points = rows(chart(charts, 'em-vs-reliability'));
    expect(points.map((p) => [p.xLo, p.xHi])).toEqual([
      [0.75, 1],
      [0, 0.1 + 0.2],
      [0.3, 0.7],
    ]);
    expect(points[0]!.yHi).toBe(1);
    expect(rows(chart(charts, 'em-bars'))[0]).toMatchObject({ lo: 0.5, hi: 1, valueText: '+0.800' });
  });
});
