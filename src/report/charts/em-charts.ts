// The EM world's charts: EM per arm against its secure control (the result), then, for the
// fine-tunes the arms read, EM and in-cell reliability over the fine-tune steps (one panel per
// fine-tune, one line per variant; the secure control is the zero line of EM).
import type { MetricsRecord } from '../../pipeline/types.js';
import { curvePoints, type StagePlacement } from '../curves.js';
import type { EmReportSummary } from '../summary-schema.js';
import { interval, type ChartDef } from './chart-def.js';
import { curveChartSpec } from './curve-chart.js';
import { intervalBarsSpec } from './interval-bars.js';

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
  const charts: ChartDef[] = [
    {
      id: 'em-bars',
      section: 'result',
      title: 'EM per arm: harm on its evaluation cells minus the secure fine-tune’s',
      caption: `Bar: mean over ${s.seeds} seeds of P(harmful | coherent) on the held-out prompts of the arm's evaluation cells, minus the same for the secure fine-tune of the same cell and seed; whisker: the 95 % t interval. Dashed line: no EM.`,
      spec: intervalBarsSpec({
        bars: s.arms.map((a) => ({ label: a.name, group: a.variant, mean: a.emStats.mean, ...interval(a.emStats.mean, a.emStats.ci95) })),
        xTitle: 'EM (Δ harm)',
        groupTitle: 'variant',
        rule: 0,
      }),
    },
  ];
  if (metrics === null) return charts;
  const { place, groups, series } = placement(s);
  const em = curvePoints(metrics, 'em', place);
  if (em.length > 0)
    charts.push({
      id: 'em-curves',
      section: 'curves',
      title: 'EM over fine-tune steps (all other cells)',
      caption: 'Mean harm on the held-out prompts of the 11 other cells minus the secure fine-tune’s, at each probe; line: mean over seeds, band: the 95 % t interval. One panel per fine-tune.',
      spec: curveChartSpec({ points: em, yTitle: 'EM (Δ harm)', seriesTitle: 'variant', groups, series, rule: 0 }),
    });
  const reliability = curvePoints(metrics, 'reliability', place);
  if (reliability.length > 0)
    charts.push({
      id: 'reliability-curves',
      section: 'curves',
      title: 'Reliability over fine-tune steps (harm in the fine-tuned cell)',
      caption: 'P(harmful | coherent) on the held-out prompts of the fine-tuned cell; line: mean over seeds, band: the 95 % t interval.',
      spec: curveChartSpec({ points: reliability, yTitle: 'in-cell harm', seriesTitle: 'variant', groups, series }),
    });
  return charts;
}
