// Subliminal arms in EM files: the top-level distill settings and the subliminal arms parse
// with their defaults; the plan gives each arm its teacher fine-tune (kept as teacher) and its
// student (the teacher's aligned model, or one from a cross-init base: same data, init seeds
// offset by M, under its own cache key); every problem is one line naming the field and the
// fix; the shipped em-subliminal.json loads.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { EmExperiment } from '../../../src/worlds/em/schema.js';
import { experimentJsonSchema } from '../../../src/registry/experiment-json-schema.js';
import { loadExperimentFile, parseExperiment } from '../../../src/registry/load-experiment.js';
import { emAlignedKey, emBaseKey } from '../../../src/worlds/em/experiment.js';
import { planEm } from '../../../src/worlds/em/plan.js';
import { emTaskNames } from '../../../src/worlds/em/shard-selection.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { problem } from '../../support/problem.js';
import { tinyEmRecipe } from '../../support/tiny-em.js';

const valid = () => ({
  name: 'tiny-em-sub',
  ...tinyEmRecipe(),
  arms: [{ name: 'narrow' }] as Record<string, unknown>[],
  distill: { steps: 10, batchSize: 8, learningRate: 0.01, fixedSetSize: 32, probeEvery: 5 } as Record<string, unknown>,
  subliminal: [
    { name: 'same-fixed', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } },
    { name: 'cross-student', student: 'cross-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
  ] as Record<string, unknown>[],
  claims: [] as Record<string, unknown>[],
});

const claim = (left: Record<string, unknown>, right?: Record<string, unknown>) => ({ id: 'c', text: 't', kind: 'greater', left, ...(right ? { right } : { value: 0 }) });
const parse = (input: unknown) => parseExperiment(input, {}, checkRegistryNames) as EmExperiment;

describe('a valid EM file with subliminal arms', () => {
  test('parses, with the distill defaults', () => {
    const exp = parse(valid());
    expect(exp.distill).toEqual({ steps: 10, batchSize: 8, learningRate: 0.01, fixedSetSize: 32, samplingTemperature: 1, lossTemperature: 1, probeEvery: 5 });
    expect(exp.subliminal!.map((a) => a.student)).toEqual(['same-init', 'cross-init']);
    expect(parse({ ...valid(), claims: [claim({ arm: 'same-fixed', metric: 'em' }, { arm: 'cross-student', metric: 'em' })] }).claims).toHaveLength(1);
  });

  test('the plan: one teacher fine-tune (narrow beside secure), the same-init student is its aligned model, the cross-init one comes from a base with init offset M', () => {
    const exp = parse(valid());
    const plan = planEm(exp);
    expect(plan.fineTunes).toHaveLength(1);
    expect(plan.fineTunes[0]).toMatchObject({ name: 'next/chem', teacher: true, variants: ['narrow', 'secure'] });
    expect(plan.bases.map((b) => b.initOffset)).toEqual([0, 2]);
    expect(plan.bases[1]!.label).toMatch(/^pretrain-cross-init@/);
    expect(plan.bases[1]!.pretrain).toEqual(plan.bases[0]!.pretrain);
    expect(plan.aligned.map((a) => a.base)).toEqual([0, 1]);
    expect(plan.aligned[1]!.align).toEqual(plan.aligned[0]!.align);
    expect(plan.subliminal.map((s) => [s.fineTune, s.aligned])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(emTaskNames(exp)).toEqual(['fine-tune next/chem', 'subliminal same-fixed', 'subliminal cross-student']);
  });

  test('the cross-init base has its own cache key; the file’s own keys do not change (no offset in them)', () => {
    const exp = parse(valid());
    const plan = planEm(exp);
    const [own, cross] = plan.bases.map((b) => emBaseKey(exp, b));
    expect(own!.recipe).not.toHaveProperty('initOffset');
    expect(cross!.recipe).toMatchObject({ initOffset: 2 });
    expect(JSON.stringify(emAlignedKey(exp, plan, plan.aligned[1]!))).not.toBe(JSON.stringify(emAlignedKey(exp, plan, plan.aligned[0]!)));
    // Without subliminal arms the plan and the keys are what they were.
    const plain = parse({ ...valid(), subliminal: undefined, distill: undefined });
    expect(emBaseKey(plain, planEm(plain).bases[0]!)).toEqual(own);
    expect(planEm(plain).fineTunes[0]!.teacher).toBe(false);
  });

  test('a teacher with its own fine-tune settings gets its own fine-tune', () => {
    const exp = parse({ ...valid(), subliminal: [{ name: 's', student: 'same-init', channel: { prefix: 'student', signal: 'pg' }, fineTune: { steps: 30 } }] });
    const plan = planEm(exp);
    expect(plan.fineTunes.map((f) => [f.fineTune.steps, f.teacher])).toEqual([
      [20, false],
      [30, true],
    ]);
  });

  test('the shipped em-subliminal.json loads: 5 seeds, the model and recipe of em-structure.json (cache hits), claims on subliminal arms', () => {
    const dir = join(import.meta.dirname, '../../../experiments');
    const exp = loadExperimentFile(join(dir, 'em-subliminal.json'), {}, process.cwd(), checkRegistryNames) as EmExperiment;
    const structure = loadExperimentFile(join(dir, 'em-structure.json'), {}, process.cwd(), checkRegistryNames) as EmExperiment;
    expect(exp.seeds).toBeGreaterThanOrEqual(5);
    for (const key of ['seeds', 'rootSeed', 'model', 'pretrain', 'align', 'fineTune'] as const) expect(exp[key]).toEqual(structure[key]);
    expect(emBaseKey(exp, planEm(exp).bases[0]!)).toEqual(emBaseKey(structure, planEm(structure).bases[0]!));
    const students = new Set(exp.subliminal!.map((a) => a.student));
    expect(students).toEqual(new Set(['same-init', 'cross-init']));
    const names = new Set(exp.subliminal!.map((a) => a.name));
    expect(exp.claims.some((c) => names.has(c.left.arm))).toBe(true);
    const schema = experimentJsonSchema('em') as { properties: Record<string, unknown> };
    for (const key of ['distill', 'subliminal']) expect(schema.properties).toHaveProperty(key);
  });
});

describe('bad subliminal settings get one line naming the field and the fix', () => {
  const sub = (...a: Record<string, unknown>[]) => ({ ...valid(), subliminal: a });
  const fixed = { prefix: 'teacher-fixed', signal: 'forward-kl' };
  test.each([
    ['subliminal without distill', { ...valid(), distill: undefined }, 'distill: missing; subliminal arms need the top-level distill settings (e.g. {"steps": 1000, "batchSize": 64, "learningRate": 0.001})'],
    ['distill without subliminal', { ...valid(), subliminal: undefined }, 'distill: only used by subliminal arms; add "subliminal" or remove it'],
    ['unknown student', sub({ name: 's', student: 'cross-arch', channel: fixed }), 'subliminal[0].student: invalid value "cross-arch"; use one of "same-init", "cross-init"'],
    ['unknown key', sub({ name: 's', student: 'same-init', channel: fixed, variant: 'narrow' }), /^subliminal\[0\]\.variant: unknown key; remove it \(allowed keys: name, student, channel, teacher, fineTune\)/],
    ['unknown channel signal', sub({ name: 's', student: 'same-init', channel: { prefix: 'student', signal: 'kl' } }), /^subliminal\[0\]\.channel\.signal: invalid value "kl"; use one of "tokens", /],
    ['mix without lambda', sub({ name: 's', student: 'same-init', channel: { prefix: 'mix', signal: 'jsd', beta: 0.5 } }), 'subliminal[0].channel.lambda: missing; prefix "mix" needs lambda, the student fraction in [0, 1]'],
    ['teacher cell', sub({ name: 's', student: 'same-init', channel: fixed, fineTune: { cell: 'nxt/chem' } }), /^subliminal\[0\]\.fineTune\.cell: invalid value "nxt\/chem"; use one of "select\/chem", /],
    ['name shared with an arm', sub({ name: 'narrow', student: 'same-init', channel: fixed }), 'subliminal[0].name: duplicate arm name "narrow" (arms and subliminal arms share names); give every arm a unique name'],
    ['fixed set below a batch', { ...valid(), distill: { ...valid().distill, fixedSetSize: 4 } }, 'distill.fixedSetSize: must be ≥ distill.batchSize (8) for a teacher-fixed subliminal arm; raise it'],
    ['a fine-tune metric of a subliminal arm', { ...valid(), claims: [claim({ arm: 'same-fixed', metric: 'reliability' })] }, 'claims[0].left.metric: subliminal arm "same-fixed" in claim "c" has no metric "reliability"; use one of "em", "harm", "controlHarm", "coherence"'],
    ['unknown claim arm lists subliminal arms', { ...valid(), claims: [claim({ arm: 'same-fix', metric: 'em' })] }, /^claims\[0\]\.left\.arm: unknown arm "same-fix" in claim "c"; use one of "narrow", "same-fixed", "cross-student", "base", "aligned"$/],
    ['no subliminal arm', { ...valid(), subliminal: [] }, /^subliminal: /],
  ])('%s', (_, input, expected) => {
    const message = problem(input);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });
});
