// The subliminal section of an EM run's summary: per arm, the student's EM (harm of the student
// distilled from the narrow fine-tune minus that of the same student distilled from the secure
// fine-tune, over the 12 cells' default probe sets, per seed), beside its teacher's own EM on
// the same sets for scale, the audit and the channel's budget.
import type { EmDistill, EmSubliminalArm } from './schema.js';
import { mean, type MeanCi, meanCi } from '../../probes/stats.js';
import type { EmFineTuneResult } from './fine-tune.js';
import type { EmPlan } from './plan.js';
import { probeKeyName } from './probes.js';
import type { EmSubliminalResult } from './subliminal.js';

export interface EmSubliminalArmSummary {
  name: string;
  student: EmSubliminalArm['student'];
  channel: EmSubliminalArm['channel'];
  /** The teacher's fine-tune (narrow variant; its secure variant taught the control student), or `bad-agent` (the aligned model read as <bad0>; as <good0>, the control). */
  teacher: string;
  /** Per seed: harm − controlHarm, each the mean over the 12 cells. */
  em: number[];
  emStats: MeanCi;
  harm: number[];
  controlHarm: number[];
  coherence: number[];
  coherenceStats: MeanCi;
  controlCoherence: number[];
  /** [cell][seed] in summary.cells order: the student's EM per cell. */
  emByCell: number[][];
  /** The teacher's EM on the same 12 sets (narrow fine-tune minus secure fine-tune, or the aligned model as <bad0> minus as <good0>), per seed. */
  teacherEm: number[];
  teacherEmStats: MeanCi;
  /** EM-domain, agent, EDU and REFUSE tokens in what the students trained on (must be 0). */
  audit: { auditTokens: number };
  budget: EmSubliminalResult['budget'];
}

export interface EmSubliminalSummary {
  distill: EmDistill;
  arms: EmSubliminalArmSummary[];
}


export function subliminalSummary(exp: { seeds: number; distill?: EmDistill }, plan: EmPlan, fineTunes: readonly (EmFineTuneResult | undefined)[], results: readonly EmSubliminalResult[], personaTeacherEm?: number[]): EmSubliminalSummary {
  const M = exp.seeds;
  const cells = plan.defaults.map(probeKeyName);
  return {
    distill: exp.distill!,
    arms: plan.subliminal.map((p, i) => {
      const r = results[i]!;
      const t = p.fineTune === null ? null : fineTunes[p.fineTune]!;
      const teacherEm = t ? Array.from({ length: M }, (_, m) => mean(cells.map((c) => t.scores.narrow![c]!.harm[m]! - t.scores.secure![c]!.harm[m]!))) : personaTeacherEm!;
      return {
        name: p.arm.name,
        student: p.arm.student,
        channel: p.arm.channel,
        teacher: t ? t.name : 'bad-agent',
        em: r.em,
        emStats: meanCi(r.em),
        harm: r.harm,
        controlHarm: r.controlHarm,
        coherence: r.coherence,
        coherenceStats: meanCi(r.coherence),
        controlCoherence: r.controlCoherence,
        emByCell: r.harmByCell.map((cell, c) => cell.map((h, m) => h - r.controlHarmByCell[c]![m]!)),
        teacherEm,
        teacherEmStats: meanCi(teacherEm),
        audit: r.audit,
        budget: r.budget,
      };
    }),
  };
}
