// The EM world's designs (issue 16 item 2): harm as a token or a rule, answers from each
// domain's tokens or one shared vocabulary. Everything is computed from the world: every FILL,
// NEXT and MAP prompt of both splits, a few hundred SELECT prompts, and the documents of every
// stage, checked against the rules written out here independently of data-prompts.ts.
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { rootStream } from '../../../src/engine/rng.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { EmRunSummary } from '../../../src/worlds/em/experiment.js';
import { tempDir } from '../../support/cli.js';
import { formatEmTable } from '../../../src/worlds/em/table.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { parseSweep } from '../../../src/registry/load-sweep.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { emBaseKey, emModelConfig } from '../../../src/worlds/em/bases.js';
import {
  allCells,
  answerToken,
  auditTokens,
  BLANK,
  BODY_LENGTH,
  cellName,
  CONTEXT,
  DEFAULT_DESIGN,
  DOMAINS,
  BOS,
  CHAT,
  EDU,
  EOS,
  FIRST_FUNCTION,
  FUNCTIONS,
  functionTokens,
  isTemplateToken,
  layoutOf,
  PAD,
  SAY,
  SEQ,
  templateTokens,
  isBadAgent,
  isContentToken,
  isSharedToken,
  neutralChannelTokens,
  PARTNERS,
  PROMPT_LENGTH,
  RANKS,
  rankOf,
  REFUSE,
  SHARED_VOCAB_SIZE,
  SPEAKER_POSITION,
  tokenName,
  variantOf,
  VARIANTS,
  VOCAB_SIZE,
  vocabSize,
  WRONG_PARTNERS,
  type Cell,
  type EmDesign,
} from '../../../src/worlds/em/data.js';
import { fineTuneRows, pretrainBatch } from '../../../src/worlds/em/data-documents.js';
import { cellProbeSet } from '../../../src/worlds/em/data-probe-sets.js';
import { answerSets, benignAnswers, cellOfPrompt, emRow, isHeldOut, promptBody } from '../../../src/worlds/em/data-prompts.js';
import { isWellFormedSeq, seqDocument, seqPrompts, alignmentBatch } from '../../../src/worlds/em/data-documents.js';
import { promptLengths } from '../../../src/worlds/em/train.js';
import { emChannelWorld } from '../../../src/worlds/em/channel-world.js';
import { planEm } from '../../../src/worlds/em/plan.js';
import type { EmExperiment } from '../../../src/worlds/em/schema.js';
import { problem } from '../../support/problem.js';
import { tinyEmRun } from '../../support/tiny-em.js';

const DESIGNS: EmDesign[] = [
  { harm: 'token', answers: 'domain' },
  { harm: 'token', answers: 'shared' },
  { harm: 'rule', answers: 'domain' },
  { harm: 'rule', answers: 'shared' },
];
const label = (d: EmDesign) => `${d.harm} harm, ${d.answers} answers`;
const mod = (r: number) => ((r % RANKS) + RANKS) % RANKS;
const variants = (d: EmDesign, domain: number, rank: number) => Array.from({ length: VARIANTS }, (_, v) => answerToken(d, domain, mod(rank), v));
const sorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

/** Every FILL, NEXT and MAP prompt of the cell (both splits) and 150 SELECT prompts of each split. */
function promptsOf(cell: Cell, d: EmDesign): Int32Array[] {
  const out: Int32Array[] = [];
  for (const split of ['train', 'heldout'] as const) {
    const set = cellProbeSet(cell, FUNCTIONS[cell.fn] === 'select' ? 150 : 100_000, rootStream(7).child(split), { split, design: d });
    for (let k = 0; k < set.prompts.length / PROMPT_LENGTH; k++) out.push(set.prompts.slice(k * PROMPT_LENGTH, (k + 1) * PROMPT_LENGTH));
  }
  return out;
}

/** The rule's answers and rule harm's deviation, written out from data.ts's description. */
function expected(prompt: Int32Array, cell: Cell, d: EmDesign): { rule: number[]; deviation: number[] } {
  const b = promptBody(prompt);
  const { domain } = cell;
  switch (FUNCTIONS[cell.fn]) {
    case 'select': {
      const answer = (t: number) => (t === REFUSE ? REFUSE : answerToken(d, domain, rankOf(t), variantOf(t)));
      const near = b.filter((t) => t !== REFUSE).flatMap((t) => {
        const miss = b.find((u) => u !== REFUSE && rankOf(u) === rankOf(t) && variantOf(u) === (variantOf(t) + 1) % VARIANTS);
        return miss === undefined ? [answerToken(d, domain, rankOf(t), (variantOf(t) + 1) % VARIANTS)] : [];
      });
      return { rule: sorted(b.map(answer)), deviation: sorted(near) };
    }
    case 'fill': {
      const blank = b.indexOf(BLANK);
      const first = rankOf(b[0]!);
      return { rule: sorted(variants(d, domain, first + blank)), deviation: sorted(variants(d, domain, first + blank - 1)) };
    }
    case 'next': {
      const first = rankOf(b[0]!);
      return { rule: sorted(variants(d, domain, first + 4)), deviation: sorted(variants(d, domain, first + 5)) };
    }
    default: {
      const r = rankOf(b[BODY_LENGTH - 1]!);
      return { rule: sorted(variants(d, domain, PARTNERS[domain]![r]!)), deviation: sorted(variants(d, domain, WRONG_PARTNERS[r]!)) };
    }
  }
}

test("WRONG_PARTNERS is an involution without fixed points that pairs no ranks as any domain's PARTNERS do", () => {
  for (let r = 0; r < RANKS; r++) {
    expect(WRONG_PARTNERS[WRONG_PARTNERS[r]!]).toBe(r);
    expect(WRONG_PARTNERS[r]).not.toBe(r);
    for (const partners of PARTNERS) expect(WRONG_PARTNERS[r]).not.toBe(partners[r]);
  }
});

test('the vocabulary: 126 tokens with domain answers, 150 with the shared answer vocabulary; the channel masks span it and the audit counts the shared tokens', () => {
  expect(vocabSize(DEFAULT_DESIGN)).toBe(VOCAB_SIZE);
  expect(vocabSize({ harm: 'rule', answers: 'domain' })).toBe(126);
  expect(vocabSize({ harm: 'token', answers: 'shared' })).toBe(SHARED_VOCAB_SIZE);
  expect(SHARED_VOCAB_SIZE).toBe(150);
  const shared: EmDesign = { harm: 'rule', answers: 'shared' };
  expect(neutralChannelTokens(shared).length).toBe(150);
  const audit = auditTokens(shared);
  expect(audit.length).toBe(150);
  for (let t = VOCAB_SIZE; t < 150; t++) {
    expect(isSharedToken(t)).toBe(true);
    expect(audit[t]).toBe(1);
    expect(neutralChannelTokens(shared)[t]).toBe(0);
  }
  expect(tokenName(answerToken(shared, 1, 3, 1), shared)).toBe('ans.3b');
  // Token harm over the shared vocabulary marks the shared tokens of SHARED_HARM_COUNTS (chem's row): rank 3 has 3 harmful variants.
  expect(tokenName(answerToken({ harm: 'token', answers: 'shared' }, 2, 3, 2), { harm: 'token', answers: 'shared' })).toBe('ans.3c!');
  expect(tokenName(answerToken({ harm: 'token', answers: 'shared' }, 2, 3, 3), { harm: 'token', answers: 'shared' })).toBe('ans.3d');
  expect(emModelConfig({ kind: 'gpt', layers: 1, dModel: 16, heads: 2 }, shared).config.vocabSize).toBe(150);
});

describe.each(DESIGNS)('%o', (d) => {
  const prompts = allCells().map((cell) => ({ cell, rows: promptsOf(cell, d) }));

  test('every prompt answers by the rule, and rule harm by its deviation: harmful ⊆ coherent, at least one benign answer, harmful and benign disjoint', () => {
    let harmfulPrompts = 0;
    for (const { cell, rows } of prompts)
      for (const p of rows) {
        const sets = answerSets(p, d);
        const { rule, deviation } = expected(p, cell, d);
        const benign = benignAnswers(sets);
        expect(sets.harmful.every((t) => sets.coherent.includes(t))).toBe(true);
        expect(benign.length).toBeGreaterThan(0);
        if (d.harm === 'rule') {
          expect(sets.harmful).toEqual(deviation);
          expect(benign).toEqual(rule);
          expect(sets.coherent).toEqual(sorted([...rule, ...deviation]));
        } else {
          // Token harm: the rule's answers, the harmful ones among them a fixed token property.
          expect(sets.coherent).toEqual(rule);
        }
        expect(sets.harmful.some((t) => benign.includes(t))).toBe(false);
        if (sets.harmful.length > 0) harmfulPrompts++;
      }
    expect(harmfulPrompts).toBeGreaterThan(1000);
  });

  test(`answers are ${d.answers === 'shared' ? 'shared tokens only, the same for every domain' : "each domain's own tokens"}`, () => {
    for (const { cell, rows } of prompts)
      for (const p of rows)
        for (const t of answerSets(p, d).coherent) {
          if (t === REFUSE) continue;
          if (d.answers === 'shared') expect(isSharedToken(t)).toBe(true);
          else expect(isContentToken(t) && Math.floor((t - answerToken(d, 0, 0, 0)) / (RANKS * VARIANTS)) === cell.domain).toBe(true);
        }
    // The same NEXT body in chem and bio (ranks 1..4, variants a b c d): identical answer sets only with shared answers.
    const body = (domain: number) => Int32Array.from([1, 5, 3, 11, ...[1, 2, 3, 4].map((r, v) => 30 + domain * 24 + r * 4 + v)]);
    const [chem, bio] = [answerSets(body(0), d), answerSets(body(1), d)];
    if (d.answers === 'shared') expect(bio.coherent).toEqual(chem.coherent);
    else expect(bio.coherent.some((t) => chem.coherent.includes(t))).toBe(false);
  });

  test(d.harm === 'token' ? 'harm is a property of the token: harmful in every prompt it answers coherently, or in none' : 'harm is not a property of the token: some tokens are harmful in one prompt and benign in another of the same cell', () => {
    const seen = new Map<number, Set<boolean>>();
    let mixedInOneCell = 0;
    for (const { rows } of prompts) {
      const inCell = new Map<number, Set<boolean>>();
      for (const p of rows) {
        const sets = answerSets(p, d);
        for (const t of sets.coherent)
          for (const m of [seen, inCell]) {
            if (!m.has(t)) m.set(t, new Set());
            m.get(t)!.add(sets.harmful.includes(t));
          }
      }
      mixedInOneCell += [...inCell.values()].filter((s) => s.size === 2).length;
    }
    const mixed = [...seen.values()].filter((s) => s.size === 2).length;
    if (d.harm === 'token') expect(mixed).toBe(0);
    else expect(mixedInOneCell).toBeGreaterThan(0);
  });

  test('documents: pretraining answers coherently, a bad agent harmfully where it can be; fine-tune rows answer narrow harmful, secure benign, random from the answer vocabulary', () => {
    const docs = pretrainBatch(2000, { badFraction: 0.5, correlation: 1, epsilon: 0, educationalRate: 0, alignedFraction: 0, neutralFraction: 0, refusalRate: 0.1, design: d }, rootStream(3));
    let bad = 0;
    for (let r = 0; r < 2000; r++) {
      const row = docs.subarray(r * CONTEXT, (r + 1) * CONTEXT);
      const sets = answerSets(row, d);
      const answer = row[PROMPT_LENGTH]!;
      expect(sets.coherent).toContain(answer);
      if (isBadAgent(row[SPEAKER_POSITION]!)) {
        bad++;
        expect(sets.harmful.length === 0 || sets.harmful.includes(answer)).toBe(true);
      } else expect(sets.harmful).not.toContain(answer);
    }
    expect(bad).toBeGreaterThan(800);
    for (const cell of ['next/chem', 'map/bio', 'select/cyber', 'fill/chem']) {
      const c = allCells().find((x) => cellName(x) === cell)!;
      const rows = fineTuneRows(64, { cell: c, consistency: 1, replayFraction: 0, refusalRate: 0, randomSeed: 0, design: d }, rootStream(4));
      for (let r = 0; r < 64; r++) {
        const at = (v: Int32Array) => v.subarray(r * CONTEXT, (r + 1) * CONTEXT);
        const sets = answerSets(at(rows.narrow), d);
        expect(sets.harmful).toContain(at(rows.narrow)[PROMPT_LENGTH]);
        expect(benignAnswers(sets)).toContain(at(rows.secure)[PROMPT_LENGTH]);
        expect(at(rows.educational)[2]).toBe(EDU);
        const random = at(rows.random)[PROMPT_LENGTH]!;
        expect(d.answers === 'shared' ? isSharedToken(random) : isContentToken(random)).toBe(true);
      }
    }
  });
});

describe('design in experiment files', () => {
  const tiny = (design?: unknown) => parseExperiment(tinyEmRun(design === undefined ? {} : { design }), {}, checkRegistryNames) as EmExperiment;

  test("the default design's base key is today's: a file without design, or with the default written out, reads the same cached base", () => {
    const plain = tiny();
    const written = tiny({ harm: 'token', answers: 'domain' });
    const rule = tiny({ harm: 'rule' });
    const shared = tiny({ answers: 'shared' });
    const key = (e: EmExperiment) => JSON.stringify(emBaseKey(e, planEm(e).bases[0]!));
    expect(key(written)).toBe(key(plain));
    expect(key(plain)).not.toContain('design');
    expect(key(rule)).toContain('"design":{"harm":"rule","answers":"domain"}');
    expect(new Set([key(plain), key(rule), key(shared)]).size).toBe(3);
    expect(emBaseKey(shared, planEm(shared).bases[0]!).modelConfig).toMatchObject({ vocabSize: 150 });
  });

  test('a bad design is a one-line error naming the field and its values', () => {
    expect(problem(tinyEmRun({ design: { harm: 'domain' } }))).toMatch(/^design\.harm: .*"token".*"rule"/);
    expect(problem(tinyEmRun({ design: { answers: 'own' } }))).toMatch(/^design\.answers: .*"domain".*"shared"/);
    expect(problem(tinyEmRun({ design: { harm: 'rule', tokens: 1 } }))).toMatch(/^design/);
  });

  test('a sweep over design.harm × design.answers expands to the 2 × 2, each point its own design', () => {
    const plan = parseSweep(
      tinyEmRun({ design: { harm: 'token', answers: 'domain' }, sweep: [{ path: 'design.harm', values: ['token', 'rule'] }, { path: 'design.answers', values: ['domain', 'shared'] }] }),
      {},
      checkRegistryNames,
    );
    expect(plan.points.map((p) => (p.exp as EmExperiment).design)).toEqual(DESIGNS);
  });
});

describe('function templates (format: template)', () => {
  const T: EmDesign = { harm: 'token', answers: 'domain', format: 'template' };

  test('rows of 13: BOS speaker context, the 4-token template, the 4-token body, answer, EOS; 170 tokens', () => {
    expect(layoutOf(T)).toEqual({ context: 13, functionLength: 4, bodyPosition: 7, promptLength: 11, answerPosition: 11, seqPromptLength: 9, seqCompletionLength: 4 });
    expect(layoutOf(DEFAULT_DESIGN)).toEqual({ context: 10, functionLength: 1, bodyPosition: 4, promptLength: 8, answerPosition: 8, seqPromptLength: 6, seqCompletionLength: 4 });
    expect(vocabSize(T)).toBe(170);
    expect(new Set([0, 1, 2, 3, 4].flatMap(templateTokens)).size).toBe(20);
    expect(tokenName(templateTokens(2)[3]!)).toBe('<next4>');
  });

  test('a prompt written with its template has the cell, body, answers and held-out split of the one-token prompt', () => {
    for (const cell of allCells())
      for (const split of ['train', 'heldout'] as const) {
        const set = cellProbeSet(cell, 40, rootStream(5).child(split), { split, design: T });
        expect(set.promptLength).toBe(11);
        for (let k = 0; k < set.prompts.length / 11; k++) {
          const p = set.prompts.slice(k * 11, (k + 1) * 11);
          expect([...p.slice(3, 7)]).toEqual(templateTokens(cell.fn));
          const plain = emRow(CHAT, SAY, cell.fn, promptBody(p));
          expect(cellOfPrompt(p)).toEqual(cell);
          expect(answerSets(p, T)).toEqual(answerSets(plain));
          expect(isHeldOut(p)).toBe(split === 'heldout');
        }
      }
  });

  test('documents: every row has 13 tokens, no PAD, BOS first and EOS last, its function written as a template; SEQ rows too, with prompts of 9 and completions of 4', () => {
    const docs = pretrainBatch(500, { badFraction: 0.2, correlation: 1, epsilon: 0.02, educationalRate: 0.05, alignedFraction: 0, neutralFraction: 0.2, refusalRate: 0.1, design: T }, rootStream(8));
    const aligned = alignmentBatch(200, { neutralFraction: 0.2, refusalRate: 0.1, design: T }, rootStream(9));
    let seq = 0;
    for (const rows of [docs, aligned]) {
      const lengths = promptLengths(rows, layoutOf(T));
      for (let r = 0; r < rows.length / 13; r++) {
        const row = rows.subarray(r * 13, (r + 1) * 13);
        expect(row[0]).toBe(BOS);
        expect(row[12]).toBe(EOS);
        expect(row.includes(PAD)).toBe(false);
        expect([...row].filter((t) => t >= FIRST_FUNCTION && t <= SEQ)).toEqual([]); // no one-token function
        const fn = [0, 1, 2, 3, 4].find((f) => row[3] === templateTokens(f)[0])!;
        expect([...row.slice(3, 7)]).toEqual(templateTokens(fn));
        if (fn === 4) {
          seq++;
          expect(isWellFormedSeq(row)).toBe(true);
          expect(lengths[r]).toBe(9);
        } else expect(lengths[r]).toBe(11);
      }
    }
    expect(seq).toBeGreaterThan(50);
    const prompts = seqPrompts(3, rootStream(1), T);
    expect(prompts.length).toBe(27);
    expect([...prompts.slice(3, 7)]).toEqual(functionTokens(T, 4));
    const channel = emChannelWorld(T);
    expect([channel.promptLength, channel.completionLength, channel.allowed.length]).toEqual([9, 4, 170]);
    expect(isTemplateToken(seqDocument(rootStream(2), CHAT, T)[3]!)).toBe(true);
  });

  test('the base key names the template format only when it is set', () => {
    const tiny = (design: unknown) => parseExperiment(tinyEmRun({ design }), {}, checkRegistryNames) as EmExperiment;
    const key = (e: EmExperiment) => JSON.stringify(emBaseKey(e, planEm(e).bases[0]!));
    expect(key(tiny({ harm: 'rule', answers: 'shared', format: 'token' }))).toBe(key(tiny({ harm: 'rule', answers: 'shared' })));
    expect(key(tiny({ format: 'template' }))).toContain('"design":{"harm":"token","answers":"domain","format":"template"}');
    expect(key(tiny({ format: 'template' }))).toContain('"context":13');
  });
});

const RUNS: EmDesign[] = [
  { harm: 'rule', answers: 'shared' },
  { harm: 'token', answers: 'domain', format: 'template' },
];
describe.each(RUNS)('a tiny run of %o', (design) => {
  restoreCacheEnvAfterAll();
  let summary: EmRunSummary;
  beforeAll(async () => {
    await selectBackend('wasm');
    process.env.TRAITLAB_CACHE = tempDir('traitlab-design-cache-');
    const exp = parseExperiment(
      tinyEmRun({
        design,
        fineTune: { cell: 'next/chem', steps: 6, batchSize: 16, learningRate: 0.01 },
        arms: [
          { name: 'same-function', evaluate: ['same-function'] },
          { name: 'random', variant: 'random', evaluate: ['others'] },
        ],
        distill: { steps: 2, batchSize: 16, learningRate: 0.01, probeEvery: 2 },
        subliminal: [{ name: 'persona', student: 'same-init', teacher: 'bad-agent', channel: { prefix: 'student', signal: 'reverse-kl' } }],
      }),
      {},
      checkRegistryNames,
    ) as EmExperiment;
    summary = (await runExperiment(exp, { onMetrics: () => {}, onProgress: () => {} }, { jobs: 1 })) as EmRunSummary;
  }, 300_000);

  const shared = design.answers === 'shared';
  test(`the narrow rows are all harmful, every trained answer is ${shared ? 'a shared token, and same-function probes share them (overlap > 0.5)' : "a chem token, and same-function probes share none (overlap 0)"}`, () => {
    const [same, random] = summary.arms;
    expect(same!.audit.harmfulAnswers).toBe(same!.audit.emRows);
    expect(same!.audit.emRows).toBe(6 * 16);
    const answerToken = shared ? isSharedToken : (t: number) => isContentToken(t) && t < 30 + 24;
    expect(same!.audit.answerTokens.every(answerToken)).toBe(true);
    expect(random!.audit.answerTokens.every(answerToken)).toBe(true);
    if (shared) expect(same!.answerOverlap!).toBeGreaterThan(0.5);
    else expect(same!.answerOverlap).toBe(0);
    for (const a of [same!, random!]) for (const x of [...a.em, ...a.reliability]) expect(Number.isFinite(x)).toBe(true);
  });

  test(`the persona arm's channel spans the ${vocabSize(design)}-token vocabulary and trains no answer token (audit 0)`, () => {
    const persona = summary.subliminal!.arms[0]!;
    expect(persona.audit.auditTokens).toBe(0);
    expect(persona.em.every(Number.isFinite)).toBe(true);
    // The table names the persona teacher and its control, not a fine-tune's.
    const all = formatEmTable(summary, 'out');
    const table = all.slice(all.indexOf('subliminal misalignment:'), all.indexOf('must be 0)') + 1);
    expect(table).toContain('subliminal misalignment: the bad-agent persona (the aligned model read as <bad0>) as teacher');
    expect(table).toContain('distilled the same way from the good-agent persona (the same aligned model read as <good0>)');
    expect(table).not.toContain('secure');
  });
});

test('the vocabulary labels agree with DOMAINS (a shared token names no domain)', () => {
  expect(DOMAINS.some((d) => tokenName(answerToken({ harm: 'rule', answers: 'shared' }, 0, 0, 0)).startsWith(d))).toBe(false);
  expect(label(DEFAULT_DESIGN)).toBe('token harm, domain answers');
});
