// The shipped EM experiment files (issue 5): each loads, passes the pre-run checks, has ≥ 5
// seeds and claims, and plans what its notes say — the em-structure base, aligned model and
// NEXT/chem fine-tune shared where the file says so, and matched harm intents in em-pretraining, and em-subliminal's teacher and students.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { EmExperiment } from '../../../src/worlds/em/schema.js';
import { loadExperimentFile } from '../../../src/registry/load-experiment.js';
import { emBaseKey } from '../../../src/worlds/em/experiment.js';
import { checkEmExperiment, planEm } from '../../../src/worlds/em/plan.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { parseSweep } from '../../../src/registry/load-sweep.js';
import { harmIntent } from '../../../src/worlds/em/data-harm-intent.js';
import { canonicalJson } from '../../../src/run/run-dir.js';

const dir = join(import.meta.dirname, '../../../experiments');
const load = (name: string) => loadExperimentFile(join(dir, `${name}.json`), {}, process.cwd(), checkRegistryNames) as EmExperiment;
/** The sweep files (em-design) are checked point by point below. */
const SWEEPS = ['em-design', 'em-format'];
const emFiles = readdirSync(dir)
  .filter((f) => f.startsWith('em-') && f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .filter((f) => !SWEEPS.includes(f));

describe('shipped EM experiment files', () => {
  test('there are exactly the nine shipped files and two sweeps', () => {
    expect([...emFiles].sort()).toEqual(['em-coupling', 'em-pretraining', 'em-reliability', 'em-room', 'em-structure', 'em-structure-ranks', 'em-subliminal', 'em-subliminal-persona', 'em-subliminal-strong']);
    expect(readdirSync(dir).filter((f) => SWEEPS.includes(f.slice(0, -'.json'.length)))).toEqual(['em-design.json', 'em-format.json']);
  });

  test('em-design: four points, harm × answers, each passing the pre-run checks; the token/domain point reads em-structure’s base and fine-tune, the other three their own bases', () => {
    const sweep = parseSweep(JSON.parse(readFileSync(join(dir, 'em-design.json'), 'utf8')), {}, checkRegistryNames);
    const points = sweep.points.map((p) => p.exp as EmExperiment);
    expect(points.map((e) => `${e.design!.harm}/${e.design!.answers}`)).toEqual(['token/domain', 'token/shared', 'rule/domain', 'rule/shared']);
    const key = (exp: EmExperiment) => canonicalJson(emBaseKey(exp, planEm(exp).bases[0]!));
    const structure = load('em-structure');
    expect(key(points[0]!)).toBe(key(structure));
    expect(new Set(points.map(key)).size).toBe(4);
    for (const e of points) {
      expect(() => checkEmExperiment(e)).not.toThrow();
      expect(e.seeds).toBeGreaterThanOrEqual(5);
      expect(e.fineTune.answerRanks).toBeUndefined();
      expect(planEm(e).fineTunes).toHaveLength(12);
    }
    expect(planEm(points[0]!).fineTunes.find((f) => f.name === 'next/chem')!.dataKey).toBe(planEm(structure).fineTunes.find((f) => f.name === 'next/chem')!.dataKey);
  });

  test.each(emFiles)('%s loads, passes the pre-run checks, has ≥ 5 seeds and claims', (name) => {
    const exp = load(name);
    expect(exp.world).toBe('em');
    expect(exp.name).toBe(name);
    expect(exp.seeds).toBeGreaterThanOrEqual(5);
    expect(exp.claims.length).toBeGreaterThan(0);
    expect(() => checkEmExperiment(exp)).not.toThrow();
  });

  test('every EM file pretrains em-structure’s base as its own (one cached base serves them all)', () => {
    const key = (exp: EmExperiment) => canonicalJson(emBaseKey(exp, planEm(exp).bases[0]!));
    const structure = key(load('em-structure'));
    for (const name of emFiles) expect(key(load(name)), name).toBe(structure);
  });

  test('em-format: the function as one token (em-structure-ranks itself: its base, fine-tunes and probe sets) and as a 4-token template (its own base of rows of 13)', () => {
    const sweep = parseSweep(JSON.parse(readFileSync(join(dir, 'em-format.json'), 'utf8')), {}, checkRegistryNames);
    const [token, template] = sweep.points.map((p) => p.exp as EmExperiment);
    const ranks = load('em-structure-ranks');
    const key = (exp: EmExperiment) => canonicalJson(emBaseKey(exp, planEm(exp).bases[0]!));
    expect(key(token!)).toBe(key(ranks));
    expect(key(template!)).not.toBe(key(ranks));
    expect(key(template!)).toContain('"context":13');
    const { design: _t, ...tokenRest } = token!;
    const { design: _r, ...ranksRest } = ranks;
    expect({ ...tokenRest, name: '', description: '', notes: {} }).toEqual({ ...ranksRest, name: '', description: '', notes: {} });
    for (const e of [token!, template!]) expect(() => checkEmExperiment(e)).not.toThrow();
    expect(planEm(template!).fineTunes.map((f) => f.dataKey)).toEqual(planEm(ranks).fineTunes.map((f) => f.dataKey));
  });

  test('em-room reads one fine-tune (em-structure’s) on probe sets of every room', () => {
    const p = planEm(load('em-room'));
    expect(p.bases).toHaveLength(1);
    expect(p.fineTunes.map((f) => f.name)).toEqual(['next/chem']);
    expect(p.arms.map((a) => a.arm.room)).toEqual([0, 1, 2, 3, 1, 1, 2, 2, 3, 3]);
    expect(p.arms.filter((a) => a.arm.refusal).every((a) => a.keys.every((k) => k.refusal))).toBe(true);
  });

  test('em-reliability: the 50 % fine-tune at twice the steps trains as many harmful rows as the 100 % one', () => {
    const exp = load('em-reliability');
    const p = planEm(exp);
    const ft = (arm: string) => p.fineTunes[p.arms.find((a) => a.arm.name === arm)!.fineTune]!.fineTune;
    const full = ft('consistency-100');
    const half = ft('consistency-50-double');
    expect(half.consistency * half.steps * half.batchSize).toBe(full.consistency * full.steps * full.batchSize);
    expect(p.bases).toHaveLength(2); // dModel 48 and the width-32 arm's
  });

  test('em-pretraining: coupled, half-coupled and decoupled bases at one harm intent; the rest vary one thing', () => {
    const p = planEm(load('em-pretraining'));
    const base = (arm: string) => p.bases[p.aligned[p.fineTunes[p.arms.find((a) => a.arm.name === arm)!.fineTune]!.aligned]!.base]!.pretrain;
    const matched = ['coupled-matched', 'half-coupled-matched', 'decoupled-matched'].map(base);
    expect(matched.map((b) => b.correlation)).toEqual([1, 0.5, 0]);
    for (const b of matched) expect(harmIntent(b)).toBeCloseTo(0.09, 12);
    expect(matched[0]!.badFraction).toBeLessThan(matched[2]!.badFraction);
    expect(base('coupled-bad20')).toEqual(p.bases[0]!.pretrain);
    expect({ ...base('coupled-bad20-upsampled'), alignedFraction: 0 }).toEqual(p.bases[0]!.pretrain);
    expect(p.bases).toHaveLength(5);
  });

  test('em-subliminal: em-structure’s NEXT/chem fine-tune teaches; same-init students are its aligned model, cross-init ones another init on the same data', () => {
    const exp = load('em-subliminal');
    const p = planEm(exp);
    const structure = planEm(load('em-structure'));
    expect(p.subliminal.map((s) => s.arm.name)).toEqual(['same-init-fixed-fkl', 'same-init-student-rkl', 'cross-init-fixed-fkl', 'cross-init-student-rkl']);
    // One teacher for all four arms: the file's own fine-tune, which is em-structure's.
    expect(new Set(p.subliminal.map((s) => s.fineTune))).toEqual(new Set([0]));
    expect(p.fineTunes[0]!.teacher).toBe(true);
    expect(p.fineTunes[0]!.dataKey).toBe(structure.fineTunes.find((f) => f.name === 'next/chem')!.dataKey);
    const teacherAligned = p.fineTunes[0]!.aligned;
    for (const s of p.subliminal) {
      if (s.arm.student === 'same-init') expect(s.aligned, s.arm.name).toBe(teacherAligned);
      else expect(s.aligned, s.arm.name).not.toBe(teacherAligned);
    }
    // The cross-init students share one other aligned model, made from another base (another init).
    const cross = p.subliminal.filter((s) => s.arm.student === 'cross-init').map((s) => s.aligned);
    expect(new Set(cross).size).toBe(1);
    expect(p.aligned[cross[0]!]!.base).not.toBe(p.aligned[teacherAligned]!.base);
    // Off-policy and on-policy arms for each student.
    expect(p.subliminal.map((s) => `${s.arm.student}:${s.arm.channel.prefix}`)).toEqual(['same-init:teacher-fixed', 'same-init:student', 'cross-init:teacher-fixed', 'cross-init:student']);
  });

  test('em-coupling: three bases at one harm intent, badness tied to all cells, a function or a domain; every arm reads ranks 3-5 of its relation', () => {
    const exp = load('em-coupling');
    const p = planEm(exp);
    const bases = p.bases.slice(1); // bases[0] is the file's own (em-structure's), which no arm reads
    expect(bases.map((b) => b.pretrain.coupling ?? 'all')).toEqual(['all', 'function', 'domain']);
    for (const b of bases) expect(harmIntent(b.pretrain)).toBeCloseTo(0.15, 12);
    // The fewer cells a bad agent is bad in, the more bad agents the same intent takes: all < domain (4 cells) < function (3).
    const [all, fn, domain] = bases.map((b) => b.pretrain.badFraction);
    expect(all).toBeLessThan(domain!);
    expect(domain).toBeLessThan(fn!);
    expect(p.arms.every((a) => a.keys.every((k) => k.ranks?.join() === '3,4,5'))).toBe(true);
    expect(new Set(p.arms.map((a) => a.fineTune)).size).toBe(3);
  });

  test('em-subliminal-strong: em-subliminal’s teacher and a stronger one (3× the rate, 2× the steps) on the same rows, each read by an arm and teaching the same-init student', () => {
    const p = planEm(load('em-subliminal-strong'));
    const q = planEm(load('em-subliminal'));
    expect(p.fineTunes.map((f) => [f.fineTune.learningRate, f.fineTune.steps, f.teacher])).toEqual([
      [0.001, 300, true],
      [0.003, 600, true],
    ]);
    // Runs of other lengths and rates share their rows: both teachers' data stream is em-subliminal's.
    expect(new Set(p.fineTunes.map((f) => f.dataKey))).toEqual(new Set([q.fineTunes[0]!.dataKey]));
    expect(p.arms.map((a) => a.fineTune)).toEqual([0, 1]);
    expect(p.subliminal.map((s) => [s.arm.name, s.fineTune, s.aligned])).toEqual([
      ['same-init-fixed-fkl', 0, 0],
      ['same-init-student-rkl', 0, 0],
      ['strong-same-init-fixed-fkl', 1, 0],
      ['strong-same-init-student-rkl', 1, 0],
    ]);
  });

  test('em-subliminal-persona: em-subliminal’s students and channels, the teacher the aligned model under the bad-agent persona (no fine-tune of its own)', () => {
    const p = planEm(load('em-subliminal-persona'));
    const q = planEm(load('em-subliminal'));
    expect(p.subliminal.map((s) => [s.arm.name, s.arm.student, s.arm.channel])).toEqual(q.subliminal.map((s) => [s.arm.name, s.arm.student, s.arm.channel]));
    expect(p.subliminal.every((s) => s.arm.teacher === 'bad-agent' && s.fineTune === null)).toBe(true);
    // Same-init students are the file's own aligned model (the teacher's); cross-init ones em-subliminal's other-init aligned model.
    expect(p.subliminal.filter((s) => s.arm.student === 'same-init').map((s) => s.aligned)).toEqual([0, 0]);
    const cross = (plan: typeof p) => plan.aligned[plan.subliminal.find((s) => s.arm.student === 'cross-init')!.aligned]!.label;
    expect(cross(p)).toBe(cross(q));
    expect(p.fineTunes.map((f) => [f.name, f.teacher])).toEqual([['next/chem', false]]);
  });
});
