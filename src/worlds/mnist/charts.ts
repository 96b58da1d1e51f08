// The MNIST world's charts: test accuracy per arm (the result), then every loss logged over
// training (the teacher's cross-entropy, the students' distillation KL), one chart per metric.
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { curveMetrics, curvePoints } from '../../plot/curves.js';
import type { MnistReportSummary } from './report-summary.js';
import { interval, type ChartDef } from '../../plot/chart-def.js';
import { curveChartSpec } from '../../plot/curve-chart.js';
import { intervalBarsSpec } from '../../plot/interval-bars.js';
import { cutNote, metricRange, NON_NEGATIVE } from '../../plot/metric-range.js';
import { pct } from '../../plot/format.js';

/** 10 digit classes. */
const CHANCE = 0.1;

const METRIC_TITLES: Record<string, string> = {
  loss: 'Training loss (cross-entropy on the digit labels)',
  kl: "Distillation loss (KL from the teacher's logits, on noise)",
};

/** Here `loss` is the teacher's cross-entropy and the students' KL; in the channel worlds it is whatever the signal minimises. */
export const MNIST_METRIC_RANGES = { loss: NON_NEGATIVE };

export function mnistCharts(s: MnistReportSummary, metrics: readonly MetricsRecord[] | null): ChartDef[] {
  const accuracyRange = metricRange('accuracy', MNIST_METRIC_RANGES);
  const charts: ChartDef[] = [
    {
      id: 'accuracy-bars',
      section: 'result',
      title: 'Test accuracy per arm',
      caption: `Bar: mean over ${s.seeds} seeds of the accuracy on the held-out digits, marked by a tick with its value; whisker: the 95 % t interval${cutNote(accuracyRange)}. Dashed line: chance (10 %).`,
      spec: intervalBarsSpec({
        bars: s.arms.map((a) => ({ label: a.name, group: a.kind, mean: a.mean, ...interval(a.mean, a.ci95) })),
        xTitle: 'test accuracy',
        groupTitle: 'kind',
        rule: CHANCE,
        xFormat: '%',
        range: accuracyRange,
        valueText: pct,
      }),
    },
  ];
  if (metrics === null) return charts;
  const stages = [...new Set(metrics.map((r) => r.stage))];
  for (const metric of curveMetrics(metrics)) {
    const points = curvePoints(metrics, metric, (stage) => ({ group: '', series: stage }));
    if (points.length === 0) continue;
    const series = stages.filter((st) => points.some((p) => p.series === st));
    const range = metricRange(metric, MNIST_METRIC_RANGES);
    charts.push({
      section: 'curves',
      id: `curve-${charts.length}-${metric.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      title: METRIC_TITLES[metric] ?? `${metric} over training steps`,
      caption: `Line: mean over seeds at each logged step; band: the 95 % t interval over seeds${cutNote(range)}.`,
      spec: curveChartSpec({ points, yTitle: metric, seriesTitle: 'stage', groups: [''], series, range }),
    });
  }
  return charts;
}
