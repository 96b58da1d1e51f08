// `traitlab run --shard i/n` and `traitlab merge`: shards merged give the unsharded run's
// summary.json (claims included) and metrics.jsonl byte for byte, in the MNIST world and in the
// numbers world (where shards train different bases, so no one shard logs every shared stage);
// a shard's manifest says which slice it is; bad splits and bad merges are one line, exit 2.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { cli, tempDir, tinyExperiment, writeJson } from '../support/cli.js';

const claims = [
  {
    id: 'same-beats-cross',
    text: 'the same-init student beats the cross-init one',
    kind: 'greater',
    left: { arm: 'student-same', metric: 'accuracy' },
    right: { arm: 'student-cross', metric: 'accuracy' },
  },
];

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

async function ok(cwd: string, ...argv: string[]): Promise<void> {
  const r = await cli(cwd, ...argv);
  expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
}

describe('MNIST: shards and merge', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'tiny.json', tinyExperiment({ claims }));
    writeJson(cwd, 'other.json', tinyExperiment({ claims, rootSeed: 4 }));
    await ok(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--jobs', '2', '--out', 'whole');
    await ok(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--shard', '2/2', '--jobs', '2', '--out', 's2');
    await ok(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--shard', '1/2', '--jobs', '1', '--out', 's1');
  });

  test("a shard runs arms i, i+n, …; its manifest records the slice and the whole experiment's arms; no claims yet", () => {
    const m = JSON.parse(read(cwd, 's1', 'manifest.json'));
    expect(m.shard).toEqual({ index: 1, count: 2, arms: ['reference', 'student-same'], of: ['reference', 'teacher', 'student-same', 'student-cross'] });
    expect(m.config.arms).toHaveLength(4);
    const s = JSON.parse(read(cwd, 's2', 'summary.json'));
    expect(s.arms.map((a: { name: string }) => a.name)).toEqual(['teacher', 'student-cross']);
    expect(s.claims).toEqual([]);
  });

  test('merged (in any order) equals the unsharded run: summary.json and metrics.jsonl byte for byte, with a report', async () => {
    const r = await cli(cwd, 'merge', 's2', 's1', '--out', 'merged');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toContain('same-beats-cross');
    expect(read(cwd, 'merged', 'summary.json')).toBe(read(cwd, 'whole', 'summary.json'));
    expect(read(cwd, 'merged', 'metrics.jsonl')).toBe(read(cwd, 'whole', 'metrics.jsonl'));
    expect(JSON.parse(read(cwd, 'merged', 'summary.json')).claims).toHaveLength(1);
    expect(existsSync(join(cwd, 'merged', 'report.html'))).toBe(true);
    const m = JSON.parse(read(cwd, 'merged', 'manifest.json'));
    expect(m.shard).toBeUndefined();
    expect(m.merged.shards.map((s: { dir: string; index: number }) => [s.index, s.dir])).toEqual([
      [1, join(cwd, 's1')],
      [2, join(cwd, 's2')],
    ]);
  });

  test('verify re-runs a shard as that shard, and a merged run as the whole experiment', async () => {
    for (const dir of ['s1', 'merged']) {
      const r = await cli(cwd, 'verify', dir);
      expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
      expect(r.out.join('\n')).toContain('(summary.json byte for byte)');
    }
  });

  test('merge takes a folder of shards or a quoted pattern, and gives the same run', async () => {
    mkdirSync(join(cwd, 'array'));
    for (const d of ['s1', 's2']) cpSync(join(cwd, d), join(cwd, 'array', `task-${d}`), { recursive: true });
    for (const [given, out] of [[['array'], 'from-folder'], [['s?'], 'from-pattern']] as const) {
      const r = await cli(cwd, 'merge', ...given, '--out', out);
      expect(r.code, r.err.join('\n')).toBe(0);
      expect(read(cwd, out, 'summary.json')).toBe(read(cwd, 'whole', 'summary.json'));
    }
    const none = await cli(cwd, 'merge', 'nothing-*', '--out', 'bad');
    expect([none.code, none.err]).toEqual([2, ["traitlab: nothing-*: matches no directory; give the shards' run directories or a pattern that names them"]]);
  });

  test('merge refuses shards run at different commits: one line naming both, nothing written', async () => {
    cpSync(join(cwd, 's2'), join(cwd, 'other-commit'), { recursive: true });
    const manifest = JSON.parse(read(cwd, 'other-commit', 'manifest.json'));
    const ours = JSON.parse(read(cwd, 's1', 'manifest.json')).git?.commit as string | undefined;
    if (ours === undefined) return; // a checkout without git: nothing to compare
    manifest.git = { ...manifest.git, commit: 'f'.repeat(40) };
    writeFileSync(join(cwd, 'other-commit', 'manifest.json'), JSON.stringify(manifest));
    const r = await cli(cwd, 'merge', 's1', 'other-commit', '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`traitlab: other-commit: was run at traitlab fffffff but s1 at ${ours.slice(0, 7)}; merge shards of one commit (re-run this one at ${ours.slice(0, 7)})`]);
    expect(existsSync(join(cwd, 'bad'))).toBe(false);
  });

  test.each([
    ['a missing shard', ['s1'], 'traitlab: shards: shard 2/2 is missing (given: 1/2 in s1); give all 2 shards'],
    ['a shard given twice', ['s1', 's2', 's1'], 'traitlab: s1: is shard 1/2, given twice (also s1); give each shard once'],
    ['a run that is not a shard', ['s1', 'whole'], 'traitlab: whole: is not a shard (its manifest has no "shard"); merge joins the run directories of traitlab run --shard i/n'],
    ['a missing directory', ['s1', 'nope'], 'traitlab: nope: not found; give a run directory (e.g. runs/<experiment>-<time>-<hash>)'],
  ])('merge refuses %s: one line, exit 2, nothing written', async (_name, dirs, message) => {
    const r = await cli(cwd, 'merge', ...dirs, '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([message]);
    expect(existsSync(join(cwd, 'bad'))).toBe(false);
  });

  test('merge refuses shards of different experiments, naming what differs', async () => {
    await ok(cwd, 'run', 'other.json', '--backend', 'wasm', '--shard', '2/2', '--out', 'o2');
    const r = await cli(cwd, 'merge', 's1', 'o2', '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^traitlab: o2: is a different experiment from s1 \(config hash [0-9a-f]{6} vs [0-9a-f]{6}, differing in "rootSeed"\); merge the shards of one experiment only$/);
  });

  test.each([
    ['0/2', 'traitlab: --shard: invalid value "0/2"; i must be between 1 and n (1 to 2), e.g. --shard 1/2'],
    ['3/2', 'traitlab: --shard: invalid value "3/2"; i must be between 1 and n (1 to 2), e.g. --shard 1/2'],
    ['x', 'traitlab: --shard: invalid value "x"; use i/n with whole numbers 1 ≤ i ≤ n, e.g. --shard 1/2 for the first of two shards (or auto inside a job array)'],
    ['1/5', 'traitlab: --shard: invalid value "1/5"; the experiment has 4 arms, so use at most 4 shards (n ≤ 4)'],
  ])('run --shard %s: one line, exit 2, nothing written', async (spec, message) => {
    const r = await cli(cwd, 'run', 'tiny.json', '--backend', 'wasm', '--shard', spec, '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([message]);
    expect(existsSync(join(cwd, 'bad'))).toBe(false);
  });
});

describe('numbers world: shards that trained different bases merge to the unsharded run', () => {
  restoreCacheEnvAfterAll();
  let cwd: string;
  const file = tinyNumbers({
    pretrain: { steps: 20, batchSize: 32, learningRate: 0.01 },
    distill: { steps: 4, batchSize: 16, learningRate: 0.01, fixedSetSize: 32, probeEvery: 2 },
    arms: [
      { name: 'same', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
      { name: 'cross', student: 'cross-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
    ],
  });

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'n.json', file);
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-whole');
    await ok(cwd, 'run', 'n.json', '--backend', 'wasm', '--jobs', '1', '--out', 'whole');
    // The costlier arm (cross: sampled prefixes) is dealt to shard 1, same to shard 2. Shard 2
    // runs first and trains the own base; shard 1 then reads it from the cache and trains only
    // the other-seed base, so neither shard's metrics hold both pretraining stages.
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-shards');
    await ok(cwd, 'run', 'n.json', '--backend', 'wasm', '--shard', '2/2', '--out', 's2');
    await ok(cwd, 'run', 'n.json', '--backend', 'wasm', '--shard', '1/2', '--out', 's1');
  });

  test('summary.json and metrics.jsonl byte for byte', async () => {
    const stages = (dir: string) => [...new Set(read(cwd, dir, 'metrics.jsonl').trim().split('\n').map((l) => JSON.parse(l).stage as string))];
    expect(stages('s1')).toEqual(['pretrain-other-seed', 'teacher', 'cross']);
    expect(stages('s2')).toEqual(['pretrain', 'teacher', 'same']);
    await ok(cwd, 'merge', 's2', 's1', '--out', 'merged');
    expect(read(cwd, 'merged', 'summary.json')).toBe(read(cwd, 'whole', 'summary.json'));
    expect(read(cwd, 'merged', 'metrics.jsonl')).toBe(read(cwd, 'whole', 'metrics.jsonl'));
  });
});
