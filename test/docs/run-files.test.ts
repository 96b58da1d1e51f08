// docs/run-files.md cannot drift from the files runs write: tiny real runs of all three worlds
// (MNIST also as two shards and their merge, for the manifest's shard and merge keys; the EM
// run with a transfer matrix and subliminal arms) through the CLI, and every key of their
// manifest.json, summary.json and metrics.jsonl must be listed on that page for its world, and
// every key the page lists for a world must be in that world's files.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { tinyEmRun } from '../support/tiny-em.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { documentedKeys, keyPaths, missing, undocumented, type FoundKeys } from '../support/key-paths.js';

const page = readFileSync(join(import.meta.dirname, '../../docs/run-files.md'), 'utf8');

const claim = (id: string, left: object, other: object) => ({ id, text: `claim ${id}`, kind: 'greater', left, ...other });

const experiments = {
  mnist: tinyExperiment({
    claims: [
      claim('same-beats-cross', { arm: 'student-same', metric: 'accuracy' }, { right: { arm: 'student-cross', metric: 'accuracy' } }),
      claim('teacher-learns', { arm: 'teacher', metric: 'accuracy' }, { value: 0.1 }),
    ],
  }),
  // The teacher at learning rate 1 diverges: the run warns, so the optional warning keys appear.
  diverging: tinyExperiment({ teacher: { name: 'mnist-aux', epochs: 1, batchSize: 2000, learningRate: 1 } }),
  numbers: tinyNumbers({
    arms: [
      { name: 'same-fixed-tokens', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens', hardLoss: 'full' }, distill: { learningRate: 0.005, batchSize: 8 } },
      { name: 'cross-mix-jsd', student: 'cross-init', channel: { prefix: 'mix', signal: 'jsd', lambda: 0.5, beta: 0.5 } },
    ],
    claims: [claim('same-beats-cross', { arm: 'same-fixed-tokens', metric: 'transfer' }, { right: { arm: 'cross-mix-jsd', metric: 'transfer' } })],
  }),
  em: tinyEmRun({
    matrix: { cells: ['next/chem', 'fill/chem'] },
    distill: { steps: 6, batchSize: 8, learningRate: 0.01, fixedSetSize: 16, probeEvery: 3 },
    subliminal: [{ name: 'same-fixed-fkl', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'forward-kl' } }],
    claims: [claim('sub-vs-em', { arm: 'same-fixed-fkl', metric: 'em' }, { right: { arm: 'others', metric: 'em' } })],
  }),
};
type World = 'mnist' | 'numbers' | 'em';
const WORLDS: World[] = ['mnist', 'numbers', 'em'];
const TITLE: Record<World, string> = { mnist: 'MNIST world', numbers: 'numbers world', em: 'EM world' };
/** Keys written only when a stage warned; the diverging run checks them. */
const ONLY_WHEN_WARNED = { summary: 'warnings', metrics: 'warning' };
const withoutWarned = (keys: Set<string>, key: string) => new Set([...keys].filter((k) => k !== key));

const cwd = tempDir('traitlab-docs-');
restoreCacheEnvAfterAll();
const json = (dir: string, file: string) => JSON.parse(readFileSync(join(cwd, dir, file), 'utf8')) as unknown;
const metricKeys = (dir: string): FoundKeys => {
  const lines = readFileSync(join(cwd, dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
  return { paths: new Set(lines.flatMap((l) => Object.keys(JSON.parse(l) as object))), nulls: new Set() };
};

beforeAll(async () => {
  process.env.TRAITLAB_CACHE = tempDir('traitlab-docs-cache-'); // bases made here, so their `pretrain` lines are written
  for (const world of [...WORLDS, 'diverging'] as const) {
    writeJson(cwd, `${world}.json`, experiments[world]);
    const r = await cli(cwd, 'run', `${world}.json`, '--out', world, '--backend', 'wasm', '--jobs', '1');
    expect(r.err.filter((l) => l.startsWith('traitlab:') && world !== 'diverging'), world).toEqual([]);
    expect(r.code, world).toBe(0);
  }
  for (const i of [1, 2]) expect((await cli(cwd, 'run', 'mnist.json', '--shard', `${i}/2`, '--out', `shard${i}`, '--backend', 'wasm', '--jobs', '1')).code).toBe(0);
  expect((await cli(cwd, 'merge', 'shard1', 'shard2', '--out', 'merged')).code).toBe(0);
}, 300_000);


describe('docs/run-files.md lists exactly the keys runs write', () => {
  test('manifest.json (a run, a shard, a merged run): every key documented, every documented key written', () => {
    const found: FoundKeys = { paths: new Set(), nulls: new Set() };
    for (const dir of [...WORLDS, 'shard1', 'merged']) keyPaths(json(dir, 'manifest.json'), ['config', 'versions'], found);
    const documented = documentedKeys(page, 'manifest.json');
    expect(undocumented(found, documented)).toEqual([]);
    expect(missing(found, documented)).toEqual([]);
    expect(found.paths).toContain('shard.of');
    expect(found.paths).toContain('merged.shards[].wallSeconds');
  });

  test.each(WORLDS)('summary.json of the %s world', (world) => {
    const found = keyPaths(json(world, 'summary.json'));
    const documented = new Set([...documentedKeys(page, 'summary.json: every world'), ...documentedKeys(page, `summary.json: ${TITLE[world]}`)]);
    expect(undocumented(found, documented)).toEqual([]);
    expect(missing(found, withoutWarned(documented, ONLY_WHEN_WARNED.summary))).toEqual([]);
  });

  test.each(WORLDS)('metrics.jsonl of the %s world', (world) => {
    const found = metricKeys(world);
    const documented = new Set([...documentedKeys(page, 'metrics.jsonl: every world'), ...documentedKeys(page, `metrics.jsonl: ${TITLE[world]}`)]);
    expect(undocumented(found, documented)).toEqual([]);
    expect(missing(found, withoutWarned(documented, ONLY_WHEN_WARNED.metrics))).toEqual([]);
  });

  test('a run that warned: summary.json `warnings` and metrics.jsonl `warning` are written and documented for every world', () => {
    const summary = json('diverging', 'summary.json') as { warnings?: unknown };
    expect(summary.warnings).toEqual([expect.stringContaining('teacher')]);
    expect(documentedKeys(page, 'summary.json: every world')).toContain(ONLY_WHEN_WARNED.summary);
    const found = metricKeys('diverging');
    expect(found.paths).toContain(ONLY_WHEN_WARNED.metrics);
    expect(undocumented(found, new Set([...documentedKeys(page, 'metrics.jsonl: every world'), ...documentedKeys(page, 'metrics.jsonl: MNIST world')]))).toEqual([]);
    expect(undocumented(keyPaths(summary), new Set([...documentedKeys(page, 'summary.json: every world'), ...documentedKeys(page, 'summary.json: MNIST world')]))).toEqual([]);
  });

  test('what the page says about the numbers world holds: loss has 2 × seeds entries (trait-teacher students, then control), most lines carry no metric', () => {
    const M = experiments.numbers.seeds as number;
    const lines = readFileSync(join(cwd, 'numbers', 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const arm = lines.filter((r) => r.stage === 'same-fixed-tokens');
    for (const r of arm.filter((x) => 'loss' in x)) expect((r.loss as number[]).length).toBe(2 * M);
    for (const r of lines.filter((x) => x.stage === 'teacher' && 'loss' in x)) expect((r.loss as number[]).length).toBe(2 * M); // the owl fine-tune: trait, then control
    const steps = arm.filter((x) => 'source' in x);
    expect(steps).toHaveLength(6); // one per distillation step
    expect(steps.filter((x) => !('loss' in x))).toHaveLength(4); // loss only at probeEvery 3 and the last step
    // The probe's control students are members M..2M−1 of the same family: the final probe's
    // controlTrait is the summary's, and transfer is trait − controlTrait.
    const summary = json('numbers', 'summary.json') as { arms: { name: string; controlTrait: number[]; trait: number[] }[] };
    const last = arm.filter((x) => 'trait' in x).at(-1)!;
    expect(last.trait).toEqual(summary.arms[0]!.trait);
    expect(last.controlTrait).toEqual(summary.arms[0]!.controlTrait);
  });

  test('the page has a section per world for both files, and no documented key twice in one section', () => {
    for (const file of ['summary.json', 'metrics.jsonl'])
      for (const world of WORLDS) {
        const heading = `## ${file}: ${TITLE[world]}`;
        const section = page.split(heading)[1]!.split(/^## /m)[0]!;
        const keys = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
        expect(new Set(keys).size, heading).toBe(keys.length);
      }
  });
});
