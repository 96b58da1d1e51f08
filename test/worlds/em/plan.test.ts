// What an EM experiment trains and reads: arms resolved to recipes, distinct bases, aligned
// models and fine-tunes trained once however many arms read them; evaluation cells from their
// relations to the fine-tuned cell; probe sets, the surface decoy among them.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EM_CELLS, type EmExperiment } from '../../../src/worlds/em/schema.js';
import { loadExperimentFile, parseExperiment } from '../../../src/registry/load-experiment.js';
import { buildProbeSet, decoyProbeSet, evaluationKeys, probeKey, probeKeyName, relationCells, cellNamed } from '../../../src/worlds/em/probes.js';
import { fineTuneDataKey, planEm } from '../../../src/worlds/em/plan.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { rootStream } from '../../../src/engine/rng.js';
import { BODY_LENGTH, BODY_POSITION, cellAt, CHAT, domainOf, FUNCTIONS, FUNCTION_POSITION, functionToken, PROMPT_LENGTH, rankOf, RANKS, SAY, VOCAB_SIZE } from '../../../src/worlds/em/data.js';
import { answerSets, isHeldOut } from '../../../src/worlds/em/data-prompts.js';
import { tinyEmRecipe } from '../../support/tiny-em.js';

const base = {
  name: 'p',
  ...tinyEmRecipe(),
};
const plan = (arms: Record<string, unknown>[], extra: Record<string, unknown> = {}) => planEm(parseExperiment({ ...base, arms, ...extra }, {}, checkRegistryNames) as EmExperiment);
const names = (cells: number[]) => cells.map((c) => EM_CELLS[c]);

describe('relations to the fine-tuned cell', () => {
  const t = cellNamed('next/chem');
  test('same function, same domain, unrelated, other function, others, target', () => {
    expect(names(relationCells('same-function', t))).toEqual(['next/bio', 'next/cyber']);
    expect(names(relationCells('same-domain', t))).toEqual(['select/chem', 'fill/chem', 'map/chem']);
    expect(names(relationCells('unrelated', t))).toEqual(['select/bio', 'select/cyber', 'fill/bio', 'fill/cyber', 'map/bio', 'map/cyber']);
    expect(relationCells('other-function', t)).toHaveLength(9);
    expect(relationCells('others', t)).toHaveLength(11);
    expect(names(relationCells('target', t))).toEqual(['next/chem']);
  });

  test('evaluation keys join relations and cells without repeats, decoy last; refusal only marks SELECT cells', () => {
    const keys = evaluationKeys(['next/bio', 'same-function', 'decoy', 'select/bio'], t, { room: null, refusal: true });
    expect(keys.map(probeKeyName)).toEqual(['select/bio+refuse', 'next/bio', 'next/cyber', 'select/chem~decoy']);
    expect(evaluationKeys(['map/chem'], t, { room: 2, refusal: true }).map(probeKeyName)).toEqual(['map/chem#room2']);
    expect(() => evaluationKeys(['decoy'], cellNamed('fill/bio'), { room: null, refusal: false })).toThrow(/NEXT/);
  });
});

describe('probe sets', () => {
  test('the surface decoy: held-out SELECT prompts of the domain listing a NEXT body; coherent = the listed tokens', () => {
    const set = decoyProbeSet(0, 40, rootStream(1));
    const K = set.prompts.length / PROMPT_LENGTH;
    expect(K).toBe(40);
    for (let k = 0; k < K; k++) {
      const p = set.prompts.subarray(k * PROMPT_LENGTH, (k + 1) * PROMPT_LENGTH);
      expect(p[1]).toBe(CHAT);
      expect(p[2]).toBe(SAY);
      expect(p[FUNCTION_POSITION]).toBe(functionToken(FUNCTIONS.indexOf('select')));
      const body = Array.from(p.subarray(BODY_POSITION, BODY_POSITION + BODY_LENGTH));
      body.forEach((tok, i) => {
        expect(domainOf(tok)).toBe(0);
        if (i > 0) expect(rankOf(tok)).toBe((rankOf(body[i - 1]!) + 1) % RANKS);
      });
      expect(isHeldOut(p)).toBe(true);
      const coherent = Array.from({ length: VOCAB_SIZE }, (_, v) => v).filter((v) => set.coherent[k * VOCAB_SIZE + v]);
      expect(coherent).toEqual([...body].sort((a, b) => a - b));
      expect(answerSets(p).harmful.every((h) => set.harmful[k * VOCAB_SIZE + h] === 1)).toBe(true);
    }
    // More exist than were asked for: a seeded choice, the same from the same stream.
    expect(decoyProbeSet(0, 40, rootStream(1)).prompts).toEqual(set.prompts);
  });

  test('a set is drawn from its key’s own stream: the same in any run with the root seed; rooms hold what they say', () => {
    const key = probeKey(cellNamed('fill/bio'), { room: 3 });
    const a = buildProbeSet(key, 12, 5);
    expect(buildProbeSet(key, 12, 5).prompts).toEqual(a.prompts);
    expect(buildProbeSet(key, 12, 6).prompts).not.toEqual(a.prompts);
    for (let k = 0; k < 12; k++) expect(a.harmful.subarray(k * VOCAB_SIZE, (k + 1) * VOCAB_SIZE).reduce((s, x) => s + x, 0)).toBe(3);
    expect(a.cell).toEqual(cellAt(cellNamed('fill/bio')));
  });
});

describe('the plan', () => {
  test('em-structure: one base, one aligned model, 12 fine-tunes (next/chem with its four variants and the decoy), every arm on the first', () => {
    const exp = loadExperimentFile(join(import.meta.dirname, '../../../experiments/em-structure.json'), {}, process.cwd(), checkRegistryNames) as EmExperiment;
    const p = planEm(exp);
    expect(p.bases.map((b) => b.label)).toEqual(['pretrain']);
    expect(p.aligned.map((a) => a.label)).toEqual(['align']);
    expect(p.fineTunes.map((f) => f.name)).toEqual(['next/chem', ...EM_CELLS.filter((c) => c !== 'next/chem')]);
    expect(p.fineTunes[0]!.variants).toEqual(['narrow', 'secure', 'educational', 'random']);
    expect(p.fineTunes[0]!.probes.map(probeKeyName)).toEqual([...EM_CELLS, 'select/chem~decoy']);
    for (const f of p.fineTunes.slice(1)) {
      expect(f.variants).toEqual(['narrow', 'secure']);
      expect(f.probes).toHaveLength(12);
    }
    expect(p.arms.every((a) => a.fineTune === 0)).toBe(true);
    expect(p.matrix!.rows.map((r) => p.fineTunes[r.fineTune]!.name)).toEqual(EM_CELLS);
  });

  test('overrides make new bases, aligned models and fine-tunes; equal recipes share; data follows the fine-tune settings only', () => {
    const p = plan([
      { name: 'a' },
      { name: 'b', evaluate: ['same-function'] },
      { name: 'decoupled', pretrain: { correlation: 0 } },
      { name: 'half', fineTune: { consistency: 0.5 } },
      { name: 'longer', variant: 'educational', fineTune: { steps: 40 } },
      { name: 'map', fineTune: { cell: 'map/bio' } },
      { name: 'wide', model: { kind: 'gpt', layers: 1, dModel: 32, heads: 2 }, align: { steps: 10 } },
    ]);
    expect(p.bases.map((b) => b.label)).toEqual(['pretrain', expect.stringMatching(/^pretrain@[0-9a-f]{8}$/), expect.stringMatching(/^pretrain@[0-9a-f]{8}$/)]);
    expect(p.aligned.map((a) => a.label)).toEqual(['align', expect.stringMatching(/^align@[0-9a-f]{8}$/), expect.stringMatching(/^align@[0-9a-f]{8}$/)]);
    expect(p.bases[1]!.pretrain.correlation).toBe(0);
    const ft = p.arms.map((a) => p.fineTunes[a.fineTune]!);
    expect(ft[0]).toBe(ft[1]); // same recipe, two readers
    expect(ft.map((f) => f.name)).toEqual(['next/chem', 'next/chem', expect.stringMatching(/^next\/chem@/), expect.stringMatching(/^next\/chem@/), expect.stringMatching(/^next\/chem@/), 'map/bio', expect.stringMatching(/^next\/chem@/)]);
    expect(new Set(ft.map((f) => f.name)).size).toBe(6);
    expect(ft[2]!.dataKey).toBe(ft[0]!.dataKey); // another pretraining, the same fine-tune rows
    expect(ft[4]!.dataKey).toBe(ft[0]!.dataKey); // a longer fine-tune starts with the same rows
    expect(ft[3]!.dataKey).not.toBe(ft[0]!.dataKey);
    expect(ft[4]!.variants).toEqual(['secure', 'educational']);
    expect(ft[0]!.variants).toEqual(['narrow', 'secure']);
    expect(p.aligned[ft[6]!.aligned]!.align.steps).toBe(10);
    expect(fineTuneDataKey(ft[5]!.fineTune)).toMatch(/^map\/bio\//);
  });

  test('the file’s own base and aligned model are planned even when every arm overrides them', () => {
    const p = plan([{ name: 'x', pretrain: { correlation: 0.5 } }]);
    expect(p.bases.map((b) => b.label)).toEqual(['pretrain', expect.stringMatching(/^pretrain@/)]);
    expect(p.arms[0]!.fineTune).toBe(0);
    expect(p.aligned[p.fineTunes[0]!.aligned]!.base).toBe(1);
  });
});
