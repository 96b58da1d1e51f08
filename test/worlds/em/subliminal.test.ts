// Subliminal misalignment in the EM world (issue 5): the distillation task carries no harmful
// token — the channel's allowed set is exactly the neutral tokens and EOS, and the audit of a
// run over every prefix source and signal is 0 —; a teacher identical to its control gives EM
// exactly 0 per seed (both students see the same prompts and random numbers); and a tiny EM
// run with subliminal arms has the summary section, the EM curve in metrics.jsonl, the table
// and report lines, claims on subliminal arms, and the same summary with 1 and 2 jobs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withClaims } from '../../../src/claims/run-claims.js';
import type { EmExperiment } from '../../../src/worlds/em/schema.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { selectBackend } from '../../../src/engine/backend.js';
import { StopFlag } from '../../../src/engine/stop.js';
import { ArmsInterrupted, type ArmResume, type ArmStageControl } from '../../../src/run/pool/arm-control.js';
import { rootStream } from '../../../src/engine/rng.js';
import type { EmRunSummary } from '../../../src/worlds/em/experiment.js';
import { buildProbeSet, defaultProbeKeys } from '../../../src/worlds/em/probes.js';
import { runEmSubliminal, type EmSubliminalInput } from '../../../src/worlds/em/subliminal.js';
import { emChannelWorld } from '../../../src/worlds/em/channel-world.js';
import { initLm, lmConfig } from '../../../src/worlds/lm/lm-factory.js';
import { trainLm } from '../../../src/worlds/lm/lm-train.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { buildReport } from '../../../src/report/build-report.js';
import { readRunData } from '../../../src/report/run-data.js';
import { formatRunOutput } from '../../../src/report/run-output.js';
import { badAgent, CONTEXT, EDU, EOS, goodAgent, isBadAgent, isContentToken, isGoodAgent, isHarmful, isNeutralToken, PAD, REFUSE, VOCAB_SIZE } from '../../../src/worlds/em/data.js';
import { pretrainBatch } from '../../../src/worlds/em/data-documents.js';
import { tempDir } from '../../support/cli.js';
import { configErrorOf } from '../../support/problem.js';

const M = 2;

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('the neutral distillation task', () => {
  test('allows exactly the neutral tokens and EOS: no content token, harmful or not, and nothing the audit counts', () => {
    const w = emChannelWorld();
    for (let t = 0; t < VOCAB_SIZE; t++) {
      expect(w.allowed[t], `token ${t}`).toBe(isNeutralToken(t) || t === EOS ? 1 : 0);
      expect(w.traitTokens[t], `token ${t}`).toBe(isContentToken(t) || isGoodAgent(t) || isBadAgent(t) || t === EDU || t === REFUSE ? 1 : 0);
      if (isHarmful(t)) expect(w.allowed[t]).toBe(0);
      expect(w.allowed[t]! & w.traitTokens[t]!).toBe(0);
    }
    // The prompts carry no audited token either.
    const prompts = w.prompts(64, rootStream(1).child('p'));
    for (const t of prompts) expect(w.traitTokens[t]).toBe(0);
  });
});

const trained = new Map<string, Float32Array[][]>();

/** A subliminal task on tiny models: teacher 2M members (narrow, then secure), student M. */
function tinyInput(channel: EmSubliminalInput['channel'], sameTeachers: boolean): EmSubliminalInput {
  const config = lmConfig({ kind: 'gpt', layers: 1, dModel: 8, heads: 2 }, VOCAB_SIZE, CONTEXT);
  const root = rootStream(7);
  // Trained a little on neutral SEQ documents (40 steps), so that their samples pass the filter and the students train.
  const params = (name: string, n: number) => {
    if (trained.has(name)) return trained.get(name)!;
    const f = initLm(config, n, (m) => root.child(name).child(String(m)));
    const data = root.child(name).child('data');
    const neutralOnly = { badFraction: 0, correlation: 1, epsilon: 0, educationalRate: 0, alignedFraction: 0, neutralFraction: 1, refusalRate: 0 };
    trainLm(f, {
      label: name,
      steps: 40,
      learningRate: 0.03,
      batch: 16,
      rowLength: CONTEXT,
      pad: PAD,
      rows: () => {
        const rows = pretrainBatch(16, neutralOnly, data);
        const all = new Int32Array(n * rows.length);
        for (let m = 0; m < n; m++) all.set(rows, m * rows.length);
        return all;
      },
      logEvery: 40,
      onLog: () => {},
      onStep: () => {},
    });
    const p = Array.from({ length: n }, (_, m) => f.memberParams(m));
    f.dispose();
    trained.set(name, p);
    return p;
  };
  const narrow = params('narrow', M);
  const teacher = sameTeachers ? [...narrow, ...narrow] : [...narrow, ...params('secure', M)];
  return {
    name: 'tiny',
    rootSeed: 3,
    members: M,
    config,
    teacher,
    student: params('student', M),
    channel,
    distill: { steps: 4, batchSize: 8, learningRate: 0.01, fixedSetSize: 16, samplingTemperature: 1, lossTemperature: 1, probeEvery: 2 },
    probes: defaultProbeKeys(false).map((k) => buildProbeSet(k, 4, 3)),
  };
}

describe('a subliminal task', () => {
  const channels: EmSubliminalInput['channel'][] = [
    { prefix: 'teacher-fixed', signal: 'forward-kl' },
    { prefix: 'teacher-fresh', signal: 'tokens' },
    { prefix: 'student', signal: 'reverse-kl' },
    { prefix: 'mix', signal: 'relabel', lambda: 0.5 },
    { prefix: 'student', signal: 'pg' },
  ];
  test.each(channels)('$prefix + $signal: a teacher identical to its control gives EM exactly 0 per seed; the audit is 0', (channel) => {
    const metrics: MetricsRecord[] = [];
    const r = runEmSubliminal(tinyInput(channel, true), { onMetrics: (x) => metrics.push(x), onStep: () => {} });
    expect(r.em).toEqual([0, 0]);
    expect(r.harm).toEqual(r.controlHarm);
    expect(r.audit.auditTokens).toBe(0);
    expect(r.budget.trainedTokens.every((n) => n > 0)).toBe(true);
    // The curve: steps 0, 2, 4, EM 0 at each.
    const curve = metrics.filter((x) => x.stage === 'subliminal:tiny');
    expect(curve.map((x) => x.step)).toEqual([0, 2, 4]);
    for (const x of curve) expect(x.em).toEqual([0, 0]);
  });

  test('different teachers: the students differ, the audit stays 0, harm is a probability per seed', () => {
    const r = runEmSubliminal(tinyInput({ prefix: 'teacher-fixed', signal: 'tokens' }, false), { onMetrics: () => {}, onStep: () => {} });
    expect(r.em.some((x) => x !== 0)).toBe(true);
    expect(r.audit.auditTokens).toBe(0);
    for (const x of [...r.harm, ...r.controlHarm, ...r.coherence]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(r.harmByCell).toHaveLength(12);
  });
});

describe('a bad-agent (persona) teacher', () => {
  // The same model read under two speaker tokens in the SEQ prompts' speaker slot (position 1).
  const persona = (trait: number, control: number): EmSubliminalInput => {
    const input = tinyInput({ prefix: 'teacher-fixed', signal: 'forward-kl' }, true);
    return { ...input, personas: { trait, control } };
  };

  test('one persona for both sides gives EM exactly 0; <bad0> against <good0> gives students that differ; the audit stays 0', () => {
    const same = runEmSubliminal(persona(goodAgent(0), goodAgent(0)), { onMetrics: () => {}, onStep: () => {} });
    expect(same.em).toEqual([0, 0]);
    const r = runEmSubliminal(persona(badAgent(0), goodAgent(0)), { onMetrics: () => {}, onStep: () => {} });
    expect(r.em.some((x) => x !== 0)).toBe(true);
    expect(r.audit.auditTokens).toBe(0);
  });

  test('the schema: teacher "bad-agent" takes no fineTune override', () => {
    const arm = (extra: Record<string, unknown>) => ({ ...tinySubliminal, subliminal: [{ name: 'p', student: 'same-init', teacher: 'bad-agent', channel: { prefix: 'student', signal: 'reverse-kl' }, ...extra }], claims: [] });
    expect(() => parseExperiment(arm({}), {}, checkRegistryNames)).not.toThrow();
    expect(configErrorOf(() => parseExperiment(arm({ fineTune: { steps: 5 } }), {}, checkRegistryNames))).toMatch(/^subliminal\[0\]\.fineTune: a bad-agent teacher is the aligned model under a persona/);
  });
});

const tinySubliminal = {
  name: 'tiny-em-sub',
  world: 'em',
  seeds: M,
  rootSeed: 3,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: 30, batchSize: 32, learningRate: 0.01 },
  align: { steps: 10, batchSize: 32, learningRate: 0.01 },
  fineTune: { cell: 'next/chem', steps: 10, batchSize: 16, learningRate: 0.01 },
  probe: { prompts: 6, samples: 10, probeEvery: 5 },
  arms: [{ name: 'teacher-others', evaluate: ['others'] }],
  distill: { steps: 6, batchSize: 8, learningRate: 0.01, fixedSetSize: 16, probeEvery: 3 },
  subliminal: [
    { name: 'same-fixed-fkl', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
    { name: 'cross-fixed-fkl', student: 'cross-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
    { name: 'same-student-rkl', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
  ],
  claims: [
    { id: 'same-init-em', text: 'x', kind: 'greater', left: { arm: 'same-fixed-fkl', metric: 'em' }, value: 0 },
    { id: 'same-beats-cross', text: 'x', kind: 'greater', left: { arm: 'same-fixed-fkl', metric: 'em' }, right: { arm: 'cross-fixed-fkl', metric: 'em' } },
  ],
};

describe('a tiny EM run with subliminal arms', () => {
  const saved = process.env.TRAITLAB_CACHE;
  let exp: EmExperiment;
  const runs: { summary: EmRunSummary; metrics: MetricsRecord[]; progress: [number, number][] }[] = [];
  beforeAll(async () => {
    process.env.TRAITLAB_CACHE = tempDir('traitlab-em-sub-cache-');
    exp = parseExperiment(tinySubliminal, {}, checkRegistryNames) as EmExperiment;
    for (const jobs of [1, 2]) {
      const metrics: MetricsRecord[] = [];
      const progress: [number, number][] = [];
      const summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(structuredClone(r)), onProgress: (d, t) => progress.push([d, t]) }, { jobs })) as EmRunSummary;
      runs.push({ summary, metrics, progress });
    }
  }, 120_000);
  afterAll(() => {
    if (saved === undefined) delete process.env.TRAITLAB_CACHE;
    else process.env.TRAITLAB_CACHE = saved;
  });

  test('the summary has the subliminal section: per-seed EM = harm − control harm, teacher EM, audit 0, budget', () => {
    const sub = runs[0]!.summary.subliminal!;
    expect(sub.distill.steps).toBe(6);
    expect(sub.arms.map((a) => [a.name, a.student, a.teacher])).toEqual([
      ['same-fixed-fkl', 'same-init', 'next/chem'],
      ['cross-fixed-fkl', 'cross-init', 'next/chem'],
      ['same-student-rkl', 'same-init', 'next/chem'],
    ]);
    for (const a of sub.arms) {
      for (const key of ['em', 'harm', 'controlHarm', 'coherence', 'controlCoherence', 'teacherEm'] as const) {
        expect(a[key]).toHaveLength(M);
        for (const x of a[key]) expect(Number.isFinite(x)).toBe(true);
      }
      for (let m = 0; m < M; m++) expect(a.em[m]).toBe(a.harm[m]! - a.controlHarm[m]!);
      expect(a.emByCell).toHaveLength(12);
      expect(a.emStats.n).toBe(M);
      expect(a.audit.auditTokens).toBe(0);
      expect(a.budget.steps).toBe(6);
    }
    // One teacher for all three arms: the same teacher EM.
    expect(sub.arms[1]!.teacherEm).toEqual(sub.arms[0]!.teacherEm);
    // Same channel, other student: the students differ.
    expect(sub.arms[1]!.harm).not.toEqual(sub.arms[0]!.harm);
  });

  test('metrics.jsonl has the EM curve of every arm (steps 0, 3, 6) and both distillations’ losses; progress counts both', () => {
    const { metrics, progress } = runs[0]!;
    for (const a of tinySubliminal.subliminal) {
      const curve = metrics.filter((r) => r.stage === `subliminal:${a.name}`);
      expect(curve.map((r) => r.step)).toEqual([0, 3, 6]);
      for (const r of curve) for (const key of ['em', 'harm', 'controlHarm', 'coherence']) expect(r[key]).toHaveLength(M);
      for (const teacher of ['narrow', 'secure']) expect(metrics.filter((r) => r.stage === `subliminal:${a.name}:${teacher}`)).toHaveLength(6);
    }
    const last = runs[0]!.summary.subliminal!.arms[0]!;
    expect(metrics.filter((r) => r.stage === 'subliminal:same-fixed-fkl').at(-1)!.em).toEqual(last.em);
    const [done, total] = progress.at(-1)!;
    expect(done).toBe(total);
  });

  test('1 and 2 jobs give the same summary and metrics (the second run reads its bases from the cache)', () => {
    expect(JSON.stringify(runs[1]!.summary)).toBe(JSON.stringify(runs[0]!.summary));
    const afterBases = (m: MetricsRecord[]) => m.filter((r) => !r.stage.startsWith('pretrain') && !r.stage.startsWith('align'));
    expect(runs[1]!.metrics.some((r) => r.stage.startsWith('pretrain'))).toBe(false);
    expect(afterBases(runs[1]!.metrics)).toEqual(afterBases(runs[0]!.metrics));
  });

  test('claims read subliminal arms; the table and the report show the section', async () => {
    const s = withClaims(exp, runs[0]!.summary);
    expect(s.claims.map((c) => c.id)).toEqual(['same-init-em', 'same-beats-cross']);
    for (const c of s.claims) expect(c.differences).toHaveLength(M);
    const table = formatRunOutput(s, 'runs/x');
    expect(table).toContain('subliminal misalignment');
    expect(table).toMatch(/same-fixed-fkl\s+same-init\s+teacher-fixed\+forward-kl\s+next\/chem/);
    const dir = tempDir('traitlab-em-sub-run-');
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(s, null, 2));
    writeFileSync(join(dir, 'metrics.jsonl'), runs[0]!.metrics.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { html } = await buildReport(readRunData(dir));
    expect(html).toContain('id="subliminal-bars"');
    expect(html).toContain('id="subliminal-curves"');
    expect(html).toContain('Subliminal misalignment');
  }, 60_000);

  test('stopped in the fine-tune and in each distillation (narrow teacher, secure teacher) of subliminal arms, then resumed → the same summary and metrics', async () => {
    const saved = new Map<string, ArmResume>();
    // Arm steps: fine-tune 1–10, then each subliminal arm 12 (6 from the narrow teacher, 6 from the secure one).
    const stops = [4, 13, 20, 31];
    let outcome: { summary: unknown; metrics: MetricsRecord[] } | undefined;
    for (const stopAfter of [...stops, undefined]) {
      const metrics: MetricsRecord[] = [];
      let steps = 0;
      let inArms = false;
      const stop = new StopFlag();
      const control: ArmStageControl = { stop, threads: false, resume: new Map(saved), armsStarting: () => (inArms = true), armDone: (arm) => saved.set(arm.name, { done: structuredClone(arm) }) };
      // Counts arm steps only, from the run's start: progress leaves the steps made before out, so they are added here.
      const before = [...saved.values()].reduce((n, r) => n + ('done' in r ? r.done.steps : r.partial.steps), 0);
      const hooks = { onMetrics: (r: MetricsRecord) => metrics.push(structuredClone(r)), onProgress: () => (inArms && before + ++steps === stopAfter ? stop.request() : undefined) };
      try {
        outcome = { summary: await runExperiment(exp, hooks, { jobs: 1, control }), metrics };
        expect(stopAfter).toBeUndefined();
      } catch (e) {
        if (!(e instanceof ArmsInterrupted)) throw e;
        expect(e.partial).toHaveLength(1);
        for (const p of e.partial) saved.set(p.name, { partial: structuredClone(p) });
      }
    }
    expect(JSON.stringify(outcome!.summary)).toBe(JSON.stringify(runs[0]!.summary));
    const afterBases = (m: MetricsRecord[]) => m.filter((r) => !r.stage.startsWith('pretrain') && !r.stage.startsWith('align'));
    expect(afterBases(outcome!.metrics)).toEqual(afterBases(runs[0]!.metrics));
  }, 60_000);
});
