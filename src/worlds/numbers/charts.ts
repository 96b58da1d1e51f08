// The numbers world's charts: transfer per arm (the result), then transfer and the student's
// p(target) over the distillation steps, one panel per student kind.
import { channelLabel } from '../../distill/channel-label.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { curvePoints, type StagePlacement } from '../../plot/curves.js';
import type { NumbersReportSummary } from './report-summary.js';
import { interval, type ChartDef } from '../../plot/chart-def.js';
import { curveChartSpec } from '../../plot/curve-chart.js';
import { intervalBarsSpec } from '../../plot/interval-bars.js';
import { cutNote, metricRange } from '../../plot/metric-range.js';

/** Curves are coloured by channel (the same colour in every panel), by arm name if two arms of a student share a channel. */
function placement(s: NumbersReportSummary): { place: StagePlacement; groups: string[]; series: string[] } {
  const labels = s.arms.map((a) => channelLabel(a.channel));
  const clash = s.arms.some((a, i) => s.arms.some((b, j) => j !== i && b.student === a.student && labels[j] === labels[i]));
  const seriesOf = new Map(s.arms.map((a, i) => [a.name, clash ? a.name : labels[i]!]));
  const groupOf = new Map(s.arms.map((a) => [a.name, a.student]));
  return {
    place: (stage) => (seriesOf.has(stage) ? { group: groupOf.get(stage)!, series: seriesOf.get(stage)! } : null),
    groups: [...new Set(s.arms.map((a) => a.student))],
    series: [...new Set(seriesOf.values())],
  };
}

export function numbersCharts(s: NumbersReportSummary, metrics: readonly MetricsRecord[] | null): ChartDef[] {
  const t = s.target;
  const [transferRange, traitRange] = [metricRange('transfer'), metricRange('trait')];
  const charts: ChartDef[] = [
    {
      id: 'transfer-bars',
      section: 'result',
      title: `Transfer per arm: student p(${t}) minus its control student's`,
      caption: `Bar: mean over ${s.seeds} seeds of p(${t}) of the student distilled from the trait teacher minus the same student distilled from the control teacher, marked by a tick with its value; whisker: the 95 % t interval${cutNote(transferRange)}. Solid line at 0: no transfer.`,
      spec: intervalBarsSpec({
        bars: s.arms.map((a) => ({ label: a.name, group: a.student, mean: a.transferStats.mean, ...interval(a.transferStats.mean, a.transferStats.ci95) })),
        xTitle: `transfer (Δ p(${t}))`,
        groupTitle: 'student',
        range: transferRange,
      }),
    },
  ];
  if (metrics === null) return charts;
  const { place, groups, series } = placement(s);
  const transfer = curvePoints(metrics, 'transfer', place);
  if (transfer.length > 0)
    charts.push({
      id: 'transfer-curves',
      section: 'curves',
      title: 'Transfer over distillation steps',
      caption: `Line: mean over seeds at each trait probe; band: the 95 % t interval over seeds${cutNote(transferRange)}. Dashed line: no transfer. One panel per student.`,
      spec: curveChartSpec({ points: transfer, yTitle: `transfer (Δ p(${t}))`, seriesTitle: 'channel', groups, series, rule: 0, range: transferRange }),
    });
  const trait = curvePoints(metrics, 'trait', place);
  const base = s.base.traitStats.mean;
  if (trait.length > 0)
    charts.push({
      id: 'trait-curves',
      section: 'curves',
      title: `Student p(${t}) over distillation steps (trait teacher)`,
      caption: `p(${t}) of the student distilled from the trait teacher; line: mean over seeds, band: the 95 % t interval over seeds${cutNote(traitRange)}.${base === null ? '' : ` Dashed line: the base model, p(${t}) = ${base.toFixed(3)}.`}`,
      spec: curveChartSpec({ points: trait, yTitle: `p(${t})`, seriesTitle: 'channel', groups, series, range: traitRange, ...(base === null ? {} : { rule: base }) }),
    });
  return charts;
}
