// The terminal table of a numbers-world run: per arm, the student's trait, the transfer over its
// control student (mean ± 95 % CI over seeds), capability, fidelity, the drift from the
// initialisation and the audit.
import type { NumbersRunSummary } from './experiment.js';
import { channelLabel } from '../../distill/channel-label.js';
import { mean } from '../../probes/stats.js';
import type { ArmDrift } from '../../probes/drift.js';
import { seedsText } from '../../engine/seed-data.js';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const signed = (x: number) => (Number.isFinite(x) ? (x >= 0 ? '+' : '') + x.toFixed(3) : '–');

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

export function formatNumbersTable(s: NumbersRunSummary, runDir: string): string {
  const header = ['arm', 'student', 'channel', `p(${s.target})`, 'transfer (vs control student)', 'sampled', 'NLL', 'agree', 'KL(T‖S)', 'drift TV', 'audit'];
  const rows = s.arms.map((a) => {
    const drift = a.drift as ArmDrift | undefined; // absent in runs made before it was measured
    return [
      a.name,
      a.student,
      channelLabel(a.channel),
      `${f3(a.traitStats.mean)} ± ${f3(a.traitStats.ci95)}`,
      `${signed(a.transferStats.mean)} ± ${f3(a.transferStats.ci95)}`,
      f3(mean(a.sampledRate)),
      f3(mean(a.nll)),
      f3(mean(a.agreement)),
      f3(mean(a.forwardKl)),
      drift ? `${f3(drift.stats.traitTv.mean)}/${f3(drift.stats.controlTv.mean)}` : '–',
      String(a.audit.traitTokens),
    ];
  });
  const line = (label: string, x: { traitStats: { mean: number; ci95: number } }) => `${label} p(${s.target}) ${f3(x.traitStats.mean)} ± ${f3(x.traitStats.ci95)}`;
  return [
    `${s.experiment} · ${seedsText(s.seeds, s.seedsVary)} · root seed ${s.rootSeed} · backend ${s.backend}`,
    `${line('base', s.base)} · ${line('teacher', s.teacher)} · ${line('control teacher', s.controlTeacher)}`,
    '',
    ...align([header, ...rows]),
    '',
    `p(${s.target}): mean over question phrasings, from the logits; transfer = student − the same student distilled from the control teacher, per seed; ${s.interval}.`,
    'sampled: fraction of sampled answers that are the target; NLL / agree / KL(T‖S): the student against its teacher on held-out teacher samples; drift TV: total-variation distance of the trait / control student\'s answers over the animals from its own initialisation\'s (mean over seeds); audit: trait tokens trained on (must be 0).',
    `run directory: ${runDir}`,
  ].join('\n');
}
