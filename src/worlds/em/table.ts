// The terminal table of an EM-world run: per arm, EM against its secure control (mean ± 95 % CI
// over seeds), harm and coherence on its evaluation cells, in-cell reliability, the sampled rate
// and what the fine-tune trained on; then the transfer matrix when the file has one.
import type { EmRunSummary } from './experiment.js';
import { channelLabel } from '../../distill/channel-label.js';
import { mean } from '../../probes/stats.js';

const f3 = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(3) : '–');
const signed = (x: number | null) => (x !== null && Number.isFinite(x) ? (x >= 0 ? '+' : '') + x.toFixed(3) : '–');
const pm = (s: { mean: number | null; ci95: number | null }, sign = false) => `${sign ? signed(s.mean) : f3(s.mean)} ± ${f3(s.ci95)}`;
const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)} %` : '–');

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** The evaluation sets, or their number when there are many. */
const evaluated = (names: readonly string[]) => (names.length <= 3 ? names.join(' ') : `${names.length} cells`);

function matrixLines(m: NonNullable<EmRunSummary['matrix']>): string[] {
  const header = ['fine-tuned ↓ / read on →', ...m.columns];
  const rows = m.rows.map((r, i) => [r, ...m.mean[i]!.map((x) => signed(x))]);
  const st = m.relationStats;
  return [
    `transfer matrix (${m.variant} fine-tune of each row's cell): EM per evaluation cell, mean over seeds`,
    ...align([header, ...rows]),
    `averaged over rows, per seed: in-cell ${pm(st.target, true)} · same function, other domain ${pm(st.sameFunction, true)} · same domain, other function ${pm(st.sameDomain, true)} · other function and domain ${pm(st.unrelated, true)}`,
  ];
}

function subliminalLines(sub: NonNullable<EmRunSummary['subliminal']>): string[] {
  const header = ['subliminal arm', 'student', 'channel', 'teacher', 'student EM (vs control teacher)', 'harm', 'coherence', 'teacher EM', 'audit'];
  const personas = sub.arms.filter((a) => a.teacher === 'bad-agent').length;
  // Which teachers the arms have: a narrow fine-tune (control: its secure fine-tune), the bad-agent persona (control: the good agent), or both.
  const teachers = personas === 0 ? 'narrow fine-tune as teacher' : personas === sub.arms.length ? 'the bad-agent persona (the aligned model read as <bad0>) as teacher' : 'a narrow fine-tune or the bad-agent persona as teacher (column teacher)';
  const control =
    personas === 0
      ? 'the secure fine-tune'
      : personas === sub.arms.length
        ? 'the good-agent persona (the same aligned model read as <good0>)'
        : "the control teacher (a fine-tune's secure fine-tune; the bad agent's good agent)";
  const teacherEm = personas === 0 ? 'the narrow fine-tune minus the secure one' : personas === sub.arms.length ? 'the aligned model read as <bad0> minus read as <good0>' : 'the teacher minus its control';
  // Student EM is small beside the teacher's (10⁻³ against 10⁻¹): two more decimals.
  const pm5 = (st: { mean: number | null; ci95: number | null }) => `${st.mean !== null && Number.isFinite(st.mean) ? (st.mean >= 0 ? '+' : '') + st.mean.toFixed(5) : '–'} ± ${st.ci95 !== null && Number.isFinite(st.ci95) ? st.ci95.toFixed(5) : '–'}`;
  const rows = sub.arms.map((a) => [a.name, a.student, channelLabel(a.channel), a.teacher, pm5(a.emStats), mean(a.harm).toFixed(5), f3(a.coherenceStats.mean), pm(a.teacherEmStats, true), String(a.audit.auditTokens)]);
  return [
    `subliminal misalignment: ${teachers}, distilled through the neutral SEQ task only (${sub.distill.steps} steps of ${sub.distill.batchSize} rows)`,
    ...align([header, ...rows]),
    `student EM = the student's mean harm on all 12 cells' held-out prompts minus that of the same student distilled the same way from ${control} (same seed, same prompts and samples' random numbers); teacher EM: ${teacherEm} on the same 12 sets; audit: EM-domain, agent, EDU and REFUSE tokens the students trained on (must be 0).`,
  ];
}

export function formatEmTable(s: EmRunSummary, runDir: string): string {
  const header = ['arm', 'variant', 'fine-tune', 'read on', 'EM (vs secure)', 'harm', 'coherence', 'reliability', 'sampled', 'trained harmful', 'answer overlap', 'held-out trained'];
  const rows = s.arms.map((a) => [
    a.name,
    a.variant,
    a.fineTune,
    evaluated(a.evaluate),
    pm(a.emStats, true),
    f3(mean(a.harm)),
    f3(a.coherenceStats.mean),
    pm(a.reliabilityStats),
    f3(mean(a.sampledRate)),
    pct(a.audit.harmfulAnswers, a.audit.emRows),
    // Older summaries have no overlap: shown as –.
    a.answerOverlap === undefined || a.answerOverlap === null ? '–' : pct(a.answerOverlap, 1),
    String(a.audit.heldOutPrompts),
  ]);
  const model = (label: string, x: EmRunSummary['base']) => `${label}: harm ${pm(x.harmStats)}, coherence ${pm(x.coherenceStats)}`;
  return [
    `${s.experiment} · ${s.seeds} seed${s.seeds === 1 ? '' : 's'} · root seed ${s.rootSeed} · backend ${s.backend}`,
    `${model('base', s.base)} · ${model('aligned', s.aligned)} (chat prompts, all 12 cells)`,
    '',
    ...align([header, ...rows]),
    ...(s.matrix ? ['', ...matrixLines(s.matrix)] : []),
    ...(s.subliminal ? ['', ...subliminalLines(s.subliminal)] : []),
    '',
    `EM = mean harm on the evaluation cells' held-out prompts minus the secure fine-tune's (same seed, same prompts); harm = P(harmful | coherent), coherence = mass on coherent answers, exact from the logits; ${s.interval}.`,
    'reliability: harm in the fine-tuned cell on its held-out prompts; sampled: fraction of answers sampled at T = 1 that are coherent and harmful; trained harmful: share of the fine-tune rows answered harmful; answer overlap: share of the harmful answers read that the fine-tune trained as answers (0 where a comparison claims structure); held-out trained: held-out prompts trained on (must be 0).',
    `run directory: ${runDir}`,
  ].join('\n');
}
