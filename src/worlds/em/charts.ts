// The EM world's charts: EM per arm against its secure control (the result), EM against in-cell
// reliability when the arms read three or more fine-tunes (finding 3's figure), then, for the
// fine-tunes the arms read, EM and in-cell reliability over the fine-tune steps (one panel per
// fine-tune, one line per variant; the secure control is the zero line of EM).
import { channelLabel } from '../../distill/channel-label.js';
import { subliminalStage } from './subliminal-names.js';
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { curvePoints, type StagePlacement } from '../../plot/curves.js';
import type { EmReportSummary } from './report-summary.js';
import { interval, type ChartDef } from '../../plot/chart-def.js';
import { curveChartSpec } from '../../plot/curve-chart.js';
import { intervalBarsSpec } from '../../plot/interval-bars.js';
import { intervalScatterSpec } from '../../plot/interval-scatter.js';
import { cutNote, metricRange, rangeText } from '../../plot/metric-range.js';

const EM_RANGE = metricRange('em');
const RELIABILITY_RANGE = metricRange('reliability');

/** Stages `<fine-tune>:<variant>` of the fine-tunes the arms read, secure left out (its EM is 0 by definition). */
function placement(s: EmReportSummary): { place: StagePlacement; groups: string[]; series: string[] } {
  const groups = [...new Set(s.arms.map((a) => a.fineTune))];
  const series = [...new Set(s.arms.map((a) => a.variant).filter((v) => v !== 'secure'))];
  return {
    place: (stage) => {
      const at = stage.lastIndexOf(':');
      if (at < 0) return null;
      const [group, variant] = [stage.slice(0, at), stage.slice(at + 1)];
      return groups.includes(group) && series.includes(variant) ? { group, series: variant } : null;
    },
    groups,
    series,
  };
}

export function emCharts(s: EmReportSummary, metrics: readonly MetricsRecord[] | null): ChartDef[] {
  // A shard dealt only matrix rows or subliminal arms reports no arm: no bars to draw.
  const charts: ChartDef[] = s.arms.length === 0 ? [] : [
    {
      id: 'em-bars',
      section: 'result',
      title: 'EM per arm: harm on its evaluation cells minus the secure fine-tune’s',
      caption: `Bar: mean over ${s.seeds} seeds of P(harmful | coherent) on the held-out prompts of the arm's evaluation cells, minus the same for the secure fine-tune of the same cell and seed, marked by a tick with its value; whisker: the 95 % t interval${cutNote(EM_RANGE)}. Solid line at 0: no EM.`,
      spec: intervalBarsSpec({
        bars: s.arms.map((a) => ({ label: a.name, group: a.variant, mean: a.emStats.mean, ...interval(a.emStats.mean, a.emStats.ci95) })),
        xTitle: 'EM (Δ harm)',
        groupTitle: 'variant',
        range: EM_RANGE,
      }),
    },
  ];
  const reliabilityChart = emAgainstReliability(s);
  if (reliabilityChart) charts.push(reliabilityChart);
  if (s.subliminal)
    charts.push({
      id: 'subliminal-bars',
      section: 'result',
      title: 'Subliminal EM per arm: the student distilled from the narrow fine-tune minus the one distilled from the secure fine-tune',
      caption: `Bar: mean over ${s.seeds} seeds of the student's harm on the held-out prompts of all 12 cells, minus the same for the student distilled from the secure fine-tune through the same channel, marked by a tick with its value; whisker: the 95 % t interval${cutNote(EM_RANGE)}. Solid line at 0: no EM.`,
      spec: intervalBarsSpec({
        bars: s.subliminal.arms.map((a) => ({ label: a.name, group: a.student, mean: a.emStats.mean, ...interval(a.emStats.mean, a.emStats.ci95) })),
        xTitle: 'student EM (Δ harm)',
        groupTitle: 'student',
        range: EM_RANGE,
      }),
    });
  if (metrics === null) return charts;
  if (s.subliminal) {
    const arms = s.subliminal.arms;
    const students = [...new Set(arms.map((a) => a.student))];
    const channels = [...new Set(arms.map((a) => channelLabel(a.channel)))];
    const byStage = new Map(arms.map((a) => [subliminalStage(a.name), { group: a.student, series: channelLabel(a.channel) }]));
    const points = curvePoints(metrics, 'em', (stage) => byStage.get(stage) ?? null);
    if (points.length > 0)
      charts.push({
        id: 'subliminal-curves',
        section: 'curves',
        title: 'Subliminal EM over distillation steps (all 12 cells)',
        caption: `The student's mean harm on the held-out prompts of all 12 cells minus the secure-teacher student's, at each probe of the neutral-task distillation; line: mean over seeds, band: the 95 % t interval${cutNote(EM_RANGE)}. One panel per student.`,
        spec: curveChartSpec({ points, yTitle: 'student EM (Δ harm)', seriesTitle: 'channel', groups: students, series: channels, rule: 0, range: EM_RANGE }),
      });
  }
  const { place, groups, series } = placement(s);
  const em = curvePoints(metrics, 'em', place);
  if (em.length > 0)
    charts.push({
      id: 'em-curves',
      section: 'curves',
      title: 'EM over fine-tune steps (all other cells)',
      caption: `Mean harm on the held-out prompts of the 11 other cells minus the secure fine-tune’s, at each probe; line: mean over seeds, band: the 95 % t interval${cutNote(EM_RANGE)}. One panel per fine-tune.`,
      spec: curveChartSpec({ points: em, yTitle: 'EM (Δ harm)', seriesTitle: 'variant', groups, series, rule: 0, range: EM_RANGE }),
    });
  const reliability = curvePoints(metrics, 'reliability', place);
  if (reliability.length > 0)
    charts.push({
      id: 'reliability-curves',
      section: 'curves',
      title: 'Reliability over fine-tune steps (harm in the fine-tuned cell)',
      caption: `P(harmful | coherent) on the held-out prompts of the fine-tuned cell; line: mean over seeds, band: the 95 % t interval${cutNote(RELIABILITY_RANGE)}.`,
      spec: curveChartSpec({ points: reliability, yTitle: 'in-cell harm', seriesTitle: 'variant', groups, series, range: RELIABILITY_RANGE }),
    });
  return charts;
}

/** EM against in-cell reliability, one point per arm of a harmful variant, when those arms read at least 3 fine-tunes (else the points would stack). */
function emAgainstReliability(s: EmReportSummary): ChartDef | null {
  const arms = s.arms.filter((a) => a.variant !== 'secure');
  if (new Set(arms.map((a) => a.fineTune)).size < 3) return null;
  return {
    id: 'em-vs-reliability',
    section: 'result',
    title: 'EM against in-cell reliability, one point per arm',
    caption: `x: harm in the fine-tuned cell on its held-out prompts (reliability); y: the arm's EM. Points: means over ${s.seeds} seeds; bars: the 95 % t intervals, cut at what each can be (reliability ${rangeText(RELIABILITY_RANGE)}, EM ${rangeText(EM_RANGE)}). Dashed line: no EM.`,
    spec: intervalScatterSpec({
      points: arms.map((a) => {
        const x = interval(a.reliabilityStats.mean, a.reliabilityStats.ci95);
        const y = interval(a.emStats.mean, a.emStats.ci95);
        return { label: a.name, group: a.variant, x: a.reliabilityStats.mean, xLo: x.lo, xHi: x.hi, y: a.emStats.mean, yLo: y.lo, yHi: y.hi };
      }),
      xTitle: 'in-cell reliability',
      yTitle: 'EM (Δ harm)',
      groupTitle: 'variant',
      rule: 0,
      xRange: RELIABILITY_RANGE,
      yRange: EM_RANGE,
    }),
  };
}
