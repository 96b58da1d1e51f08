// EM-world experiment files: parseExperiment picks the EM schema by `world`, fills defaults,
// and turns every problem (schema, claims, harm intent out of reach) into one ConfigError line
// that names the field and the fix; the shipped em-structure.json loads.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EM_CELLS, resolvedPretrain, type EmExperiment } from '../../../src/worlds/em/schema.js';
import { experimentJsonSchema } from '../../../src/registry/experiment-json-schema.js';
import { loadExperimentFile, parseExperiment } from '../../../src/registry/load-experiment.js';
import { settlePretrain } from '../../../src/worlds/em/plan.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { checkShardable } from '../../../src/run/shard.js';
import { allCells, cellName } from '../../../src/worlds/em/data.js';
import { harmIntent } from '../../../src/worlds/em/data-harm-intent.js';
import { problem } from '../../support/problem.js';
import { tinyEmRecipe } from '../../support/tiny-em.js';
import { emWorld } from '../../../src/worlds/em/world.js';

const valid = () => ({
  name: 'tiny-em',
  ...tinyEmRecipe(),
  arms: [{ name: 'narrow' }, { name: 'secure', variant: 'secure' }] as Record<string, unknown>[],
  claims: [] as Record<string, unknown>[],
});


const claim = (left: Record<string, unknown>, right?: Record<string, unknown>) => ({ id: 'c', text: 't', kind: 'greater', left, ...(right ? { right } : { value: 0 }) });

describe('a valid EM file', () => {
  test('parses with the EM schema and its defaults', () => {
    const exp = parseExperiment(valid(), {}, checkRegistryNames) as EmExperiment;
    expect(exp.world).toBe('em');
    expect(exp.pretrain).toMatchObject({ epsilon: 0.02, correlation: 1, educationalRate: 0.05, alignedFraction: 0, neutralFraction: 0.1, refusalRate: 0.1 });
    expect(exp.pretrain.badFraction).toBeUndefined();
    expect(exp.align).toMatchObject({ neutralFraction: 0.1, refusalRate: 0.1 });
    expect(exp.fineTune).toMatchObject({ cell: 'next/chem', consistency: 1, replayFraction: 0, refusalRate: 0, randomSeed: 0 });
    expect(exp.probe).toEqual({ prompts: 48, samples: 100, probeEvery: 50, refusal: false });
    expect(exp.arms[0]).toEqual({ name: 'narrow', variant: 'narrow', evaluate: ['others'] });
    expect(exp.matrix).toBeUndefined();
    expect(parseExperiment({ ...valid(), matrix: {} }, {}, checkRegistryNames)).toMatchObject({ matrix: { variant: 'narrow', cells: EM_CELLS } });
  });

  test('the cell names are the world’s, in its index order', () => {
    expect(EM_CELLS).toEqual(allCells().map(cellName));
  });

  test('badFraction: given, derived from harmIntent (matching the world’s harm intent), or 0.2; an arm’s harmIntent replaces the file’s badFraction', () => {
    const exp = parseExperiment({ ...valid(), pretrain: { ...valid().pretrain, badFraction: 0.3 }, arms: [{ name: 'a', pretrain: { correlation: 0, harmIntent: 0.09 } }] }, {}, checkRegistryNames) as EmExperiment;
    expect(settlePretrain(exp.pretrain).badFraction).toBe(0.3);
    const arm = settlePretrain(resolvedPretrain(exp, exp.arms[0]!));
    expect(arm.correlation).toBe(0);
    expect(harmIntent(arm)).toBeCloseTo(0.09, 12);
    expect(settlePretrain((parseExperiment(valid()) as EmExperiment).pretrain).badFraction).toBe(0.2);
  });

  test('the shipped em-structure.json loads, and the EM JSON Schema describes arms and the matrix', () => {
    const exp = loadExperimentFile(join(import.meta.dirname, '../../../experiments/em-structure.json'), {}, process.cwd(), checkRegistryNames) as EmExperiment;
    expect(exp.world).toBe('em');
    expect(exp.seeds).toBeGreaterThanOrEqual(5);
    expect(exp.claims.length).toBeGreaterThan(0);
    const schema = experimentJsonSchema('em') as { properties: Record<string, unknown>; title: string };
    expect(schema.title).toBe('traitlab experiment (em world)');
    for (const key of ['pretrain', 'align', 'fineTune', 'probe', 'arms', 'matrix', 'claims']) expect(schema.properties).toHaveProperty(key);
  });
});

describe('bad EM files get one line naming the field and the fix', () => {
  const arms = (...a: Record<string, unknown>[]) => ({ ...valid(), arms: a });
  test.each([
    ['unknown arm key', arms({ name: 'a', bogus: 1 }), /^arms\[0\]\.bogus: unknown key; remove it \(allowed keys: name, variant, evaluate, /],
    ['unknown variant', arms({ name: 'a', variant: 'evil' }), 'arms[0].variant: invalid value "evil"; use one of "narrow", "secure", "educational", "random"'],
    ['unknown evaluation cell', arms({ name: 'a', evaluate: ['same-function', 'nxt/chem'] }), /^arms\[0\]\.evaluate\[1\]: unknown cell or relation "nxt\/chem"; use one of "others", "target", .* or a cell \("select\/chem", /],
    ['decoy of a non-NEXT cell', arms({ name: 'a', evaluate: ['decoy'], fineTune: { cell: 'map/bio' } }), /^arms\[0\]\.evaluate\[0\]: "decoy" reads SELECT prompts that list a NEXT body, so it needs a NEXT fine-tune cell \(this arm fine-tunes "map\/bio"\)/],
    ['room with the decoy', arms({ name: 'a', evaluate: ['decoy'], room: 1 }), /^arms\[0\]\.room: not used with "decoy"/],
    ['room out of range', arms({ name: 'a', room: 4 }), 'arms[0].room: must be ≤ 3 (got 4)'],
    ['unknown fine-tune cell', { ...valid(), fineTune: { ...valid().fineTune, cell: 'next/chm' } }, /^fineTune\.cell: invalid value "next\/chm"; use one of "select\/chem", /],
    ['duplicate arm', arms({ name: 'a' }, { name: 'a', variant: 'secure' }), 'arms[1].name: duplicate arm name "a"; give every arm a unique name'],
    ['badFraction and harmIntent', { ...valid(), pretrain: { ...valid().pretrain, badFraction: 0.2, harmIntent: 0.3 } }, 'pretrain.harmIntent: given with badFraction; keep one (harmIntent derives badFraction)'],
    ['fractions over 1', { ...valid(), pretrain: { ...valid().pretrain, alignedFraction: 0.7, neutralFraction: 0.5 } }, 'pretrain.neutralFraction: alignedFraction + neutralFraction is 1.2; keep their sum ≤ 1'],
    ['harm intent out of reach', { ...valid(), pretrain: { ...valid().pretrain, harmIntent: 0.05 } }, /^pretrain\.harmIntent: harm intent 0\.05 is out of reach at these settings \(0\.069.*\); choose a harm intent in that range/],
    ['an arm’s harm intent out of reach', arms({ name: 'a', pretrain: { harmIntent: 0.01 } }), /^arms\[0\]\.pretrain\.harmIntent: harm intent 0\.01 is out of reach/],
    ['matrix claim without a matrix', { ...valid(), claims: [claim({ arm: 'matrix-same-function', metric: 'em' })] }, 'claims[0].left.arm: "matrix-same-function" in claim "c" reads the transfer matrix; add the top-level "matrix" (e.g. {"variant": "narrow"}) or use an arm'],
    ['reserved name with another metric', { ...valid(), claims: [claim({ arm: 'base', metric: 'em' })] }, 'claims[0].left.metric: "base" has only the metric "harm" in claim "c"; use "harm"'],
    ['a numbers metric', { ...valid(), claims: [claim({ arm: 'narrow', metric: 'transfer' })] }, /^claims\[0\]\.left\.metric: invalid value "transfer"; use one of "em", "harm", "controlHarm", "coherence", "reliability", "sampledRate", "controlSampledRate"$/],
    ['unknown claim arm', { ...valid(), claims: [claim({ arm: 'narow', metric: 'em' })] }, /^claims\[0\]\.left\.arm: unknown arm "narow" in claim "c"; use one of "narrow", "secure", "base", "aligned"$/],
    ['matrix cell', { ...valid(), matrix: { cells: ['next/chem', 'fill'] } }, /^matrix\.cells\[1\]: invalid value "fill"; use one of /],
    ['a numbers key', { ...valid(), teacher: { name: 'owl' } }, /^teacher: unknown key; remove it/],
  ])('%s', (_, input, expected) => {
    const message = problem(input);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  test('--shard deals out EM tasks (fine-tunes), not arms: arms sharing one fine-tune are one task', () => {
    const exp = parseExperiment({ ...valid(), arms: [{ name: 'a' }, { name: 'b', variant: 'educational' }] }) as EmExperiment;
    expect(() => checkShardable(exp, { index: 1, count: 1 }, emWorld)).not.toThrow();
    expect(() => checkShardable(exp, { index: 1, count: 2 }, emWorld)).toThrow('--shard: invalid value "1/2"; the experiment has 1 task to share out (its distinct fine-tunes and subliminal arms), so use at most 1 shard (n ≤ 1)');
  });
});
