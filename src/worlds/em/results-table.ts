// The numbers behind the EM bars: per arm EM ± its 95 % interval and every seed's value, with
// reliability, coherence and the training audit; then the transfer matrix when there is one.
import { channelLabel } from '../../distill/channel-label.js';
import { escapeHtml } from '../../plot/escape.js';
import { fixed, meanPm } from '../../plot/format.js';
import { cell, head } from '../../plot/html-table.js';
import type { EmReportSummary } from './report-summary.js';

const table = (names: string[], rows: string[]) => `<table class="results">${head(names)}<tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>`;

function matrixTable(m: NonNullable<EmReportSummary['matrix']>): string {
  const rows = m.rows.map((r, i) => [cell(r), ...m.mean[i]!.map((x) => cell(fixed(x, 3, true), 'n'))].join(''));
  const st = m.relationStats;
  return [
    `<h3>Transfer matrix (${escapeHtml(m.variant)} fine-tune of each row's cell)</h3>`,
    table(['fine-tuned ↓ / read on →', ...m.columns], rows),
    `<p class="note">EM per evaluation cell, mean over seeds. Averaged over rows: in-cell ${meanPm(st.target.mean, st.target.ci95, true)} · same function, other domain ${meanPm(st.sameFunction.mean, st.sameFunction.ci95, true)} · same domain, other function ${meanPm(st.sameDomain.mean, st.sameDomain.ci95, true)} · other function and domain ${meanPm(st.unrelated.mean, st.unrelated.ci95, true)}.</p>`,
  ].join('\n');
}

function subliminalTable(sub: NonNullable<EmReportSummary['subliminal']>): string {
  const rows = sub.arms.map((a) =>
    [
      cell(a.name),
      cell(a.student),
      cell(channelLabel(a.channel)),
      cell(a.teacher),
      // Student EM is small beside the teacher's (10⁻³ against 10⁻¹): two more decimals.
      cell(`${fixed(a.emStats.mean, 5, true)} ± ${fixed(a.emStats.ci95, 5)}`, 'n'),
      cell(a.em.map((x) => fixed(x, 5, true)).join(' '), 'n seeds'),
      cell(meanPm(a.coherenceStats.mean, a.coherenceStats.ci95), 'n'),
      cell(meanPm(a.teacherEmStats.mean, a.teacherEmStats.ci95, true), 'n'),
      cell(String(a.audit.auditTokens), a.audit.auditTokens !== 0 ? 'n alarm' : 'n'),
    ].join(''),
  );
  return [
    '<h3>Subliminal misalignment (neutral-task distillation from the narrow fine-tune)</h3>',
    table(['arm', 'student', 'channel', 'teacher', 'student EM', 'EM per seed', 'coherence', 'teacher EM', 'audit'], rows),
    "<p class=\"note\">Student EM: the student's mean harm on all 12 cells' held-out prompts minus that of the same student distilled the same way from the secure fine-tune, per seed. Teacher EM: the narrow fine-tune minus the secure one on the same prompts. Audit: EM-domain, agent, EDU and REFUSE tokens the students trained on (must be 0).</p>",
  ].join('\n');
}

export function emResultsTable(s: EmReportSummary): string {
  const model = (label: string, x: EmReportSummary['base']) => `${label}: harm ${meanPm(x.harmStats.mean, x.harmStats.ci95)}, coherence ${meanPm(x.coherenceStats.mean, x.coherenceStats.ci95)}`;
  const rows = s.arms.map((a) =>
    [
      cell(a.name),
      cell(a.variant),
      cell(a.fineTune),
      cell(a.evaluate.length <= 3 ? a.evaluate.join(' ') : `${a.evaluate.length} cells`),
      cell(meanPm(a.emStats.mean, a.emStats.ci95, true), 'n'),
      cell(a.em.map((x) => fixed(x, 3, true)).join(' '), 'n seeds'),
      cell(meanPm(a.reliabilityStats.mean, a.reliabilityStats.ci95), 'n'),
      cell(meanPm(a.coherenceStats.mean, a.coherenceStats.ci95), 'n'),
      cell(a.audit === undefined ? '–' : String(a.audit.heldOutPrompts), a.audit !== undefined && a.audit.heldOutPrompts !== 0 ? 'n alarm' : 'n'),
    ].join(''),
  );
  return [
    `<p>${escapeHtml(`${model('base', s.base)} · ${model('aligned', s.aligned)} (chat prompts, all 12 cells)`)}</p>`,
    table(['arm', 'variant', 'fine-tune', 'read on', 'EM', 'EM per seed', 'reliability', 'coherence', 'held-out trained'], rows),
    `<p class="note">EM: mean P(harmful | coherent) on the held-out prompts of the arm's evaluation cells minus the secure fine-tune's, per seed; reliability: harm in the fine-tuned cell; coherence: mass on coherent answers on the evaluation cells; held-out trained: held-out prompts in the fine-tune rows (must be 0). Values: ${escapeHtml(s.interval ?? 'mean ± half-width of the 95 % t interval over seeds')}.</p>`,
    ...(s.matrix ? [matrixTable(s.matrix)] : []),
    ...(s.subliminal ? [subliminalTable(s.subliminal)] : []),
  ].join('\n');
}
