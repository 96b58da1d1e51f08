// The report page: one self-contained HTML file. Charts are inline SVG and the style is inline;
// there are no scripts and no links, and the Content-Security-Policy forbids loading anything,
// so the page looks the same opened offline, from a mail attachment, or years later.
import { claimsTable } from './claims.js';
import { escapeHtml } from '../../plot/escape.js';
import { manifestBlock } from './manifest.js';

export interface RenderedChart {
  id: string;
  section: 'result' | 'curves';
  title: string;
  caption: string;
  svg: string;
}

export interface ReportPage {
  title: string;
  /** The experiment's description (the question it asks). */
  description: string | null;
  /** One line: world, seeds, root seed, backend. */
  facts: string;
  /** summary.json's claims, or null when there are none (the section is left out). */
  claims: readonly unknown[] | null;
  charts: RenderedChart[];
  /** HTML of the numbers behind the result chart. */
  resultsTable: string;
  /** Why each setting was chosen: the experiment's `notes`, field → reason. */
  notes: Record<string, string> | null;
  manifest: Record<string, unknown> | null;
  /** What the page could not show and why (a missing metrics.jsonl, say). */
  gaps: string[];
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;max-width:1120px;margin:2em auto;padding:0 1.5em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1.05em;margin:0}
.facts{color:#555}.note,.caption{color:#555;font-size:.9em}.gap{background:#fff8e1;border-left:4px solid #f0b400;padding:.4em .8em}
figure.chart{margin:1.5em 0}figure.chart svg{max-width:100%;height:auto;display:block;margin:.5em 0}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}th,td{border-bottom:1px solid #e4e4e4;padding:.3em .6em;text-align:left;vertical-align:top}
table.results td:first-child{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.seeds{color:#555}td.alarm{color:#b00020;font-weight:bold}
.verdict{font-weight:bold;padding:.1em .5em;border-radius:3px;white-space:nowrap}
.verdict.supported{background:#e3f4e6;color:#1b5e20}.verdict.not-supported{background:#fde7e9;color:#b00020}
.verdict.inconclusive{background:#fff3cd;color:#7a5200;border:1px dashed #c99700}.verdict.unknown{background:#eee}
.mark{display:inline-block;margin:.2em 0 0 .4em;padding:0 .4em;border-radius:3px;font-size:.85em;white-space:nowrap;border:1px solid #c99700;color:#7a5200}.mark.holm-lost{border-color:#b00020;color:#b00020}
td.details{font-size:.85em;color:#555;max-width:28em}td.details summary{cursor:pointer}.kv{margin:.2em 0;overflow-wrap:anywhere}
table.manifest th{width:10em;color:#555;font-weight:normal}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:.85em}pre.config{white-space:pre-wrap;overflow-wrap:anywhere}details.config summary{cursor:pointer}
dl.notes dt{font-weight:bold;margin-top:.5em}dl.notes dd{margin-left:1.5em}
`;

function chartHtml(c: RenderedChart): string {
  return `<figure class="chart" id="${escapeHtml(c.id)}"><h3>${escapeHtml(c.title)}</h3>${c.svg}<figcaption class="caption">${escapeHtml(c.caption)}</figcaption></figure>`;
}

function notesHtml(notes: Record<string, string>): string {
  return `<dl class="notes">${Object.entries(notes)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>`;
}

export function reportHtml(p: ReportPage): string {
  const section = (title: string, body: string) => `<section><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
  const curves = p.charts.filter((c) => c.section === 'curves');
  const parts = [
    `<header><h1>${escapeHtml(p.title)}</h1>`,
    p.description ? `<p>${escapeHtml(p.description)}</p>` : '',
    `<p class="facts">${escapeHtml(p.facts)}</p></header>`,
    ...p.gaps.map((g) => `<p class="gap">${escapeHtml(g)}</p>`),
    p.claims === null ? '' : section('Claims', claimsTable(p.claims)),
    section('Result', [...p.charts.filter((c) => c.section === 'result').map(chartHtml), p.resultsTable].join('\n')),
    curves.length === 0 ? '' : section('Over training', curves.map(chartHtml).join('\n')),
    p.notes === null ? '' : section('Why these settings', notesHtml(p.notes)),
    p.manifest === null ? '' : section('Manifest', manifestBlock(p.manifest)),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(p.title)} · traitlab report</title>
<style>${STYLE}</style>
</head>
<body>
${parts.filter((s) => s !== '').join('\n')}
<footer class="note"><p>Written by traitlab from this run directory's summary.json, metrics.jsonl and manifest.json; regenerate with <code>traitlab report &lt;run-dir&gt;</code>.</p></footer>
</body>
</html>
`;
}
