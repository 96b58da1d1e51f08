// The EM experiment end to end at toy scale (issue 5): a base pretrained and an aligned model
// (then both cached), one NEXT/chem fine-tune with its four variants side by side, a second
// fine-tune for the transfer matrix, arms reading them on relations to the fine-tuned cell and
// on the surface decoy; the summary's shape, the secure arm's EM exactly 0, the training audit,
// metrics curves, claims, the terminal table and the report page; and a second run from the
// cache that reproduces the summary exactly.
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { withClaims } from '../../../src/claims/run-claims.js';
import type { EmExperiment } from '../../../src/worlds/em/schema.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { selectBackend } from '../../../src/engine/backend.js';
import type { EmRunSummary } from '../../../src/worlds/em/experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { buildReport } from '../../../src/report/build-report.js';
import { readRunData } from '../../../src/report/run-data.js';
import { formatRunOutput } from '../../../src/report/run-output.js';
import { tempDir } from '../../support/cli.js';
import { formatEmTable } from '../../../src/worlds/em/table.js';

const SEEDS = 2;
const STEPS = 20;
const PROBE_EVERY = 10;
const B = 16;

export const tinyEm = {
  name: 'tiny-em',
  world: 'em',
  seeds: SEEDS,
  rootSeed: 3,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: 40, batchSize: 32, learningRate: 0.01 },
  align: { steps: 20, batchSize: 32, learningRate: 0.01 },
  fineTune: { cell: 'next/chem', steps: STEPS, batchSize: B, learningRate: 0.01 },
  probe: { prompts: 8, samples: 20, probeEvery: PROBE_EVERY },
  arms: [
    { name: 'narrow-same-function', evaluate: ['same-function'] },
    { name: 'narrow-same-domain', evaluate: ['same-domain'] },
    { name: 'narrow-decoy', evaluate: ['decoy'] },
    { name: 'narrow-map-room2', evaluate: ['map/chem', 'map/bio'], room: 2 },
    { name: 'secure', variant: 'secure' },
    { name: 'educational', variant: 'educational' },
    { name: 'random', variant: 'random' },
  ],
  matrix: { cells: ['next/chem', 'select/bio'] },
  claims: [
    { id: 'same-function-beats-same-domain', text: 'x', kind: 'greater', left: { arm: 'narrow-same-function', metric: 'em' }, right: { arm: 'narrow-same-domain', metric: 'em' } },
    { id: 'matrix', text: 'x', kind: 'greater', left: { arm: 'matrix-same-function', metric: 'em' }, right: { arm: 'matrix-same-domain', metric: 'em' } },
    { id: 'aligned', text: 'x', kind: 'less', left: { arm: 'aligned', metric: 'harm' }, right: { arm: 'base', metric: 'harm' } },
  ],
};

restoreCacheEnvAfterAll();
let cache: string;
let exp: EmExperiment;

interface Run {
  summary: EmRunSummary;
  metrics: MetricsRecord[];
  progress: [number, number][];
  seconds: number;
}

async function runOnce(): Promise<Run> {
  const metrics: MetricsRecord[] = [];
  const progress: [number, number][] = [];
  const t0 = performance.now();
  const summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(structuredClone(r)), onProgress: (done, total) => progress.push([done, total]) }, { jobs: 1 })) as EmRunSummary;
  return { summary, metrics, progress, seconds: (performance.now() - t0) / 1000 };
}

let first: Run;

beforeAll(async () => {
  await selectBackend('wasm');
  cache = tempDir('traitlab-em-cache-');
  process.env.TRAITLAB_CACHE = cache;
  exp = parseExperiment(tinyEm, {}, checkRegistryNames) as EmExperiment;
  first = await runOnce();
}, 180_000);

const perSeed = (xs: unknown) => {
  expect(xs).toHaveLength(SEEDS);
  for (const x of xs as number[]) expect(Number.isFinite(x)).toBe(true);
};

describe('a tiny EM experiment', () => {
  test('the summary: per-seed arrays for every arm, EM = harm − control harm, cells and reliability', () => {
    const s = first.summary;
    console.log(`tiny EM run, cold: ${first.seconds.toFixed(1)} s`);
    expect(s).toMatchObject({ experiment: 'tiny-em', world: 'em', seeds: SEEDS, rootSeed: 3, backend: 'wasm' });
    expect(s.cells).toHaveLength(12);
    expect(s.cells[0]).toBe('select/chem');
    for (const model of [s.base, s.aligned]) {
      perSeed(model.harm);
      perSeed(model.coherence);
      expect(model.harmByCell).toHaveLength(12);
    }
    expect(s.arms.map((a) => a.name)).toEqual(tinyEm.arms.map((a) => a.name));
    for (const a of s.arms) {
      for (const key of ['em', 'harm', 'controlHarm', 'coherence', 'reliability', 'controlReliability', 'sampledRate', 'controlSampledRate', 'loss'] as const) perSeed(a[key]);
      for (let m = 0; m < SEEDS; m++) expect(a.em[m]).toBe(a.harm[m]! - a.controlHarm[m]!);
      expect(a.emStats.n).toBe(SEEDS);
      expect(a.emStats.mean).toBeCloseTo((a.em[0]! + a.em[1]!) / 2, 12);
      for (const c of a.cells) for (let m = 0; m < SEEDS; m++) expect(c.em[m]).toBe(c.harm[m]! - c.controlHarm[m]!);
      expect(a.cell).toBe('next/chem');
      expect(a.fineTune).toBe('next/chem');
      for (const x of [...a.harm, ...a.coherence, ...a.reliability, ...a.sampledRate]) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
    }
    const arm = (name: string) => s.arms.find((a) => a.name === name)!;
    expect(arm('narrow-same-function').evaluate).toEqual(['next/bio', 'next/cyber']);
    expect(arm('narrow-same-domain').evaluate).toEqual(['select/chem', 'fill/chem', 'map/chem']);
    expect(arm('narrow-decoy').evaluate).toEqual(['select/chem~decoy']);
    expect(arm('narrow-map-room2').evaluate).toEqual(['map/chem#room2', 'map/bio#room2']);
    expect(arm('secure').evaluate).toHaveLength(11);
    // Every arm of one fine-tune reads the same reliability for its variant.
    expect(arm('narrow-decoy').reliability).toEqual(arm('narrow-same-function').reliability);
  });

  test('the secure arm against itself: EM exactly 0 for every seed, harm equal to the control harm', () => {
    const secure = first.summary.arms.find((a) => a.name === 'secure')!;
    expect(secure.em).toEqual([0, 0]);
    expect(secure.harm).toEqual(secure.controlHarm);
    expect(secure.sampledRate).toEqual(secure.controlSampledRate);
    expect(secure.reliability).toEqual(secure.controlReliability);
    for (const c of secure.cells) expect(c.em).toEqual([0, 0]);
  });

  test('the audit: no held-out prompt trained on; narrow all harmful, secure none, educational all under EDU', () => {
    const audit = (name: string) => first.summary.arms.find((a) => a.name === name)!.audit;
    for (const a of first.summary.arms) {
      expect(a.audit.heldOutPrompts).toBe(0);
      expect(a.audit.rows).toBe(STEPS * B);
      expect(a.audit.emRows).toBe(STEPS * B); // replayFraction 0
    }
    expect(audit('narrow-same-function').harmfulAnswers).toBe(STEPS * B); // consistency 1
    expect(audit('narrow-same-function').educationalRows).toBe(0);
    expect(audit('secure').harmfulAnswers).toBe(0);
    expect(audit('educational')).toEqual({ ...audit('narrow-same-function'), educationalRows: STEPS * B });
    expect(audit('random').harmfulAnswers).toBeLessThan(STEPS * B);
  });

  test('answer overlap: the same-function probes share no trained answer token, the same-domain ones all of theirs', () => {
    const arm = (name: string) => first.summary.arms.find((a) => a.name === name)!;
    expect(arm('narrow-same-function').answerOverlap).toBe(0);
    expect(arm('narrow-same-domain').answerOverlap).toBeGreaterThan(0.9);
    // The secure variant trains benign answers only, so no harmful answer read is a trained one.
    expect(arm('secure').answerOverlap).toBe(0);
    expect(arm('narrow-same-function').audit.answerTokens.length).toBeGreaterThan(0);
    expect(formatEmTable(first.summary, 'out')).toMatch(/answer overlap/);
  });

  test('the transfer matrix: rows × 12 columns × seeds, EM = harm − secure harm per cell, relations per seed', () => {
    const m = first.summary.matrix!;
    expect(m.variant).toBe('narrow');
    expect(m.rows).toEqual(['next/chem', 'select/bio']);
    expect(m.columns).toEqual(first.summary.cells);
    expect(m.em).toHaveLength(2);
    for (const row of m.em) {
      expect(row).toHaveLength(12);
      for (const xs of row) perSeed(xs);
    }
    // Row next/chem is the arms' fine-tune: its cells agree with the arms'.
    const sameFunction = first.summary.arms.find((a) => a.name === 'narrow-same-function')!;
    expect(m.em[0]![first.summary.cells.indexOf('next/bio')]).toEqual(sameFunction.cells[0]!.em);
    for (const key of ['target', 'sameFunction', 'sameDomain', 'unrelated'] as const) {
      perSeed(m.relations[key]);
      expect(m.relationStats[key].n).toBe(SEEDS);
    }
    // Same function of next/chem: next/bio, next/cyber; of select/bio: select/chem, select/cyber.
    const col = (name: string) => first.summary.cells.indexOf(name);
    const expected = [0, 1].map((s) => ((m.em[0]![col('next/bio')]![s]! + m.em[0]![col('next/cyber')]![s]!) / 2 + (m.em[1]![col('select/chem')]![s]! + m.em[1]![col('select/cyber')]![s]!) / 2) / 2);
    m.relations.sameFunction.forEach((x, s) => expect(x).toBeCloseTo(expected[s]!, 12));
  });

  test('metrics: pretrain and align losses, and per variant a loss and a probe at every probeEvery steps; progress counts every step', () => {
    const { metrics } = first;
    expect(metrics.some((r) => r.stage === 'pretrain' && 'loss' in r)).toBe(true);
    expect(metrics.some((r) => r.stage === 'align' && 'loss' in r)).toBe(true);
    for (const variant of ['narrow', 'secure', 'educational', 'random']) {
      const records = metrics.filter((r) => r.stage === `next/chem:${variant}`);
      expect(records.filter((r) => 'loss' in r).map((r) => r.step)).toEqual([10, 20]);
      const probes = records.filter((r) => 'em' in r);
      expect(probes.map((r) => r.step)).toEqual([10, 20]);
      for (const p of probes) {
        perSeed(p.em);
        perSeed(p.reliability);
        perSeed(p.coherence);
        expect(p.harmByCell).toHaveLength(12);
      }
      if (variant === 'secure') for (const p of probes) expect(p.em).toEqual([0, 0]);
    }
    // The last probe of a variant is the state the summary reports.
    const last = metrics.filter((r) => r.stage === 'next/chem:narrow' && 'reliability' in r).at(-1)!;
    expect(last.reliability).toEqual(first.summary.arms[0]!.reliability);
    expect(metrics.filter((r) => r.stage === 'select/bio:narrow' && 'em' in r)).toHaveLength(2);
    const total = 40 + 20 + 2 * STEPS;
    expect(first.progress.at(-1)).toEqual([total, total]);
    expect(first.progress.map(([d]) => d)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(readdirSync(join(cache, 'bases'))).toHaveLength(2); // the base and the aligned model
  });

  test('claims, the terminal table and the report page read the summary', async () => {
    const summary = withClaims(exp, first.summary);
    expect(summary.claims.map((c) => c.id)).toEqual(['same-function-beats-same-domain', 'matrix', 'aligned']);
    for (const c of summary.claims) {
      expect(c.n).toBe(SEEDS);
      expect(c.differences).toHaveLength(SEEDS);
    }
    const text = formatRunOutput(summary, 'runs/x');
    for (const a of first.summary.arms) expect(text).toContain(a.name);
    expect(text).toContain('transfer matrix');
    expect(text).toContain('same-function-beats-same-domain');
    const dir = tempDir('traitlab-em-run-');
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
    writeFileSync(join(dir, 'metrics.jsonl'), first.metrics.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { html } = await buildReport(readRunData(dir));
    expect(html).toContain('id="em-bars"');
    expect(html).toContain('id="em-curves"');
    expect(html).toContain('Transfer matrix');
    expect(html).toContain('narrow-decoy');
  }, 60_000);

  test('a second run reads the base and aligned model from the cache and gives an identical summary', async () => {
    const second = await runOnce();
    console.log(`tiny EM run, warm: ${second.seconds.toFixed(1)} s`);
    expect(second.metrics.some((r) => r.stage === 'pretrain' || r.stage === 'align')).toBe(false);
    expect(JSON.stringify(second.summary)).toBe(JSON.stringify(first.summary));
    const fineTunes = (m: MetricsRecord[]) => m.filter((r) => r.stage !== 'pretrain' && r.stage !== 'align');
    expect(fineTunes(second.metrics)).toEqual(fineTunes(first.metrics));
  }, 180_000);
});
