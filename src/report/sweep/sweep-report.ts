// A sweep directory's report.html: the headline metric of every arm against the swept value
// with its 95 % intervals, the table behind it, each point's claims (per point) and a link to
// each point's own report. Written from the sweep's summary.json and manifest.json only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../../plot/escape.js';
import { meanPm } from '../../plot/format.js';
import { cell, head } from '../../plot/html-table.js';
import { cutNote, metricRange } from '../../plot/metric-range.js';
import { sweepChartSpec, type SweepChartRow } from '../../plot/sweep-chart.js';
import { worldNamed } from '../../registry/worlds.js';
import { writeFileAtomic } from '../../run/run-dir.js';
import { renderSvg } from '../charts/render-svg.js';
import { reportHtml } from '../html/page.js';
import type { ReportOutcome } from '../write-report.js';
import type { SweepSummary } from './sweep-summary.js';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const axisValue = (v: unknown): number | string => (typeof v === 'number' ? v : show(v));

/** The chart's rows: one per point and arm. */
export function sweepChartRows(s: SweepSummary): { rows: SweepChartRow[]; series: string[]; panels: string[] } {
  const [first, second] = s.sweep.map((e) => e.path) as [string, string | undefined];
  const arms = [...new Set(s.points.flatMap((p) => p.arms.map((a) => a.name)))];
  const rows = s.points.flatMap((p) =>
    p.arms.map((a) => ({
      x: axisValue(p.settings[first]),
      series: second === undefined ? a.name : `${second} = ${show(p.settings[second])}`,
      panel: second === undefined ? '' : a.name,
      mean: a.mean,
      lo: a.mean === null || a.ci95 === null ? null : a.mean - a.ci95,
      hi: a.mean === null || a.ci95 === null ? null : a.mean + a.ci95,
    })),
  );
  const series = second === undefined ? arms : s.sweep[1]!.values.map((v) => `${second} = ${show(v)}`);
  return { rows, series, panels: second === undefined ? [] : arms };
}

function tableHtml(s: SweepSummary): string {
  const paths = s.sweep.map((e) => e.path);
  const rows = s.points.flatMap((p) =>
    p.arms.map((a) => `<tr>${paths.map((path) => cell(show(p.settings[path]))).join('')}${cell(a.name)}${cell(meanPm(a.mean, a.ci95), 'n')}${cell(a.values.map((v) => v.toFixed(3)).join(' '), 'n seeds')}<td><a href="${escapeHtml(p.dir)}/report.html">${escapeHtml(p.label)}</a></td></tr>`),
  );
  return `<table class="results">${head([...paths, 'arm', `${s.metric} (mean ± 95 % CI)`, 'per seed', 'point'])}<tbody>${rows.join('')}</tbody></table>`;
}

/** Each point's claims, labelled by point: they were evaluated on that point's seeds alone. */
function pointClaims(s: SweepSummary): unknown[] | null {
  const all = s.points.flatMap((p) => {
    const full = JSON.parse(readFileSync(join(p.dir === '' ? '.' : p.dir, 'summary.json'), 'utf8')) as { claims?: { id: string }[] };
    return (full.claims ?? []).map((c) => ({ ...c, id: `${p.label}: ${c.id}` }));
  });
  return all.length ? all : null;
}

export async function buildSweepReport(dir: string): Promise<{ html: string; warnings: string[] }> {
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SweepSummary;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const world = worldNamed(s.world);
  const range = metricRange(s.metric, world.metricRanges);
  const { rows, series, panels } = sweepChartRows(s);
  const first = s.sweep[0]!;
  const spec = sweepChartSpec({ rows, xTitle: first.path, xValues: first.values.map(axisValue), yTitle: s.metric, seriesTitle: s.sweep.length > 1 ? s.sweep[1]!.path : 'arm', series, panels, range });
  const { svg, warnings } = await renderSvg(spec, 'sweep');
  const what = s.sweep.length > 1 ? `one panel per arm, a line per value of ${s.sweep[1]!.path}` : 'a line per arm';
  const claims = pointClaims({ ...s, points: s.points.map((p) => ({ ...p, dir: join(dir, p.dir) })) });
  const config = manifest.config as Record<string, unknown> | undefined;
  const html = reportHtml({
    title: `${s.experiment} (sweep)`,
    description: typeof config?.description === 'string' ? config.description : null,
    facts: `${s.world} world · sweep of ${s.sweep.map((e) => e.path).join(' × ')} · ${s.points.length} points · ${s.seeds} seeds · root seed ${s.rootSeed} · backend ${s.backend}`,
    claims,
    charts: [
      {
        id: 'sweep',
        section: 'result',
        title: `${s.metric} against ${first.path}`,
        caption: `Each arm's ${s.metric} at every value of ${first.path} (${what}): the mean over ${s.seeds} seeds with its 95 % t interval${cutNote(range)}. Claims are evaluated per point, on that point's seeds only.`,
        svg,
      },
    ],
    resultsTable: tableHtml(s),
    notes: null,
    manifest,
    gaps: [],
  });
  return { html, warnings: warnings.map((w) => `chart sweep: ${w}`) };
}

/** Writes report.html in the sweep directory; never throws (the results are on disk already). */
export async function tryWriteSweepReport(dir: string): Promise<ReportOutcome> {
  try {
    const { html, warnings } = await buildSweepReport(dir);
    writeFileAtomic(join(dir, 'report.html'), html);
    return { ok: true, warnings };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
