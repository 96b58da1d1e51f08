// A run directory's data → the report page: the world's charts (its descriptor's report), render each to SVG,
// and lay out the page. Pure apart from rendering, so tests build pages from fixtures.
import { worldNamed } from '../registry/worlds.js';
import { seedsText } from '../engine/seed-data.js';
import { renderSvg } from './charts/render-svg.js';
import { reportHtml, type RenderedChart } from './html/page.js';
import type { RunData } from './run-data.js';

export interface BuiltReport {
  html: string;
  /** Vega-Lite / Vega warnings, per chart id: a chart that may be missing something. */
  warnings: string[];
}

const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** The experiment's `notes` (field → why), when they are all strings. */
function configNotes(config: Record<string, unknown> | null): Record<string, string> | null {
  const notes = obj(config?.notes);
  if (notes === null) return null;
  const entries = Object.entries(notes).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length === 0 ? null : Object.fromEntries(entries);
}

export async function buildReport(run: RunData): Promise<BuiltReport> {
  const s = run.summary;
  const { report } = worldNamed(s.world);
  const defs = report.charts(s, run.metrics);
  const warnings: string[] = [];
  const charts: RenderedChart[] = [];
  // One at a time: each View holds its scenegraph until finalized, and order keeps ids stable.
  for (const d of defs) {
    const { svg, warnings: w } = await renderSvg(d.spec, d.id);
    warnings.push(...w.map((m) => `${d.id}: ${m}`));
    charts.push({ id: d.id, section: d.section, title: d.title, caption: d.caption, svg });
  }
  const config = obj(run.manifest?.config);
  const gaps: string[] = [];
  if (run.manifest === null) gaps.push('manifest.json is missing from this run directory: the config, versions and commit are not shown.');
  if (run.metrics === null) gaps.push('metrics.jsonl is missing from this run directory: no curves over training steps.');
  else if (!charts.some((c) => c.section === 'curves')) gaps.push('metrics.jsonl has no metric logged at two or more steps: no curves over training steps.');
  return {
    html: reportHtml({
      title: s.experiment,
      description: typeof config?.description === 'string' ? config.description : null,
      facts: `${s.world} world · ${seedsText(s.seeds, s.seedsVary === 'init-and-data' ? 'init-and-data' : undefined)} · root seed ${s.rootSeed} · backend ${s.backend}`,
      claims: s.claims !== undefined && s.claims.length > 0 ? s.claims : null,
      charts,
      resultsTable: report.resultsTable(s),
      notes: configNotes(config),
      manifest: run.manifest,
      gaps,
    }),
    warnings,
  };
}
