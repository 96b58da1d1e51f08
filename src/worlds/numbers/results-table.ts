// The numbers behind the report's bar chart, as a table a reader can copy from: per arm the
// mean ± 95 % interval and every seed's transfer (the chart shows only the mean).
import { escapeHtml } from '../../plot/escape.js';
import { fixed, meanPm } from '../../plot/format.js';
import { cell, head } from '../../plot/html-table.js';
import { channelLabel } from '../../distill/channel-label.js';
import type { NumbersReportSummary } from './report-summary.js';

export function numbersResultsTable(s: NumbersReportSummary): string {
  const t = s.target;
  const model = (label: string, x: { traitStats: { mean: number | null; ci95: number | null } }) => `${label} p(${t}) ${meanPm(x.traitStats.mean, x.traitStats.ci95)}`;
  const rows = s.arms.map((a) =>
    [
      cell(a.name),
      cell(a.student),
      cell(channelLabel(a.channel)),
      cell(meanPm(a.traitStats.mean, a.traitStats.ci95), 'n'),
      cell(meanPm(a.transferStats.mean, a.transferStats.ci95, true), 'n'),
      cell(a.transfer.map((x) => fixed(x, 4, true)).join(' '), 'n seeds'),
      cell(a.drift === undefined ? '–' : `${fixed(a.drift.stats.traitTv.mean, 3)} / ${fixed(a.drift.stats.controlTv.mean, 3)}`, 'n'),
      cell(a.audit === undefined ? '–' : String(a.audit.traitTokens), a.audit !== undefined && a.audit.traitTokens !== 0 ? 'n alarm' : 'n'),
    ].join(''),
  );
  return [
    `<p>${escapeHtml([model('base', s.base), model('teacher', s.teacher), model('control teacher', s.controlTeacher)].join(' · '))}</p>`,
    `<table class="results">${head(['arm', 'student', 'channel', `p(${t})`, 'transfer', 'transfer per seed', 'drift TV', 'audit'])}<tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>`,
    `<p class="note">p(${t}): the student distilled from the trait teacher; transfer: minus the same student distilled from the control teacher, per seed; drift TV: total-variation distance of the trait / control student's answers over the animals from its own initialisation's (mean over seeds); audit: trait tokens trained on (must be 0). Values: ${escapeHtml(s.interval ?? 'mean ± half-width of the 95 % t interval over seeds')}.</p>`,
  ].join('\n');
}
