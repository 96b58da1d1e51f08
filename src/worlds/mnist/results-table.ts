// The numbers behind the report's accuracy chart, as a table a reader can copy from: per arm
// the mean ± 95 % interval and every seed's test accuracy.
import { escapeHtml } from '../../plot/escape.js';
import { pct } from '../../plot/format.js';
import { cell, head } from '../../plot/html-table.js';
import type { MnistReportSummary } from './report-summary.js';

export function mnistResultsTable(s: MnistReportSummary): string {
  const rows = s.arms.map((a) => [cell(a.name), cell(a.kind), cell(`${pct(a.mean)} ± ${pct(a.ci95)}`, 'n'), cell(a.accuracy.map(pct).join(' '), 'n seeds')].join(''));
  return [
    `<table class="results">${head(['arm', 'kind', 'test accuracy', 'per seed'])}<tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>`,
    `<p class="note">Accuracy on the held-out digits; values: ${escapeHtml(s.interval ?? 'mean ± half-width of the 95 % t interval over seeds')}.</p>`,
  ].join('\n');
}
