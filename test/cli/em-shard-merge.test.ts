// EM files shard by task (issue 16 item 6), a bad-agent teacher among the subliminal arms (item 5): `--shard i/n` deals out the distinct fine-tunes and
// subliminal arms; a shard that runs a subliminal arm also trains its teacher fine-tune, exactly
// as the whole run does; `traitlab merge` gives the unsharded run's summary.json (the matrix's
// relation averages recomputed over all rows, claims evaluated) and metrics.jsonl byte for byte,
// here with shards that share a base cache, so no one shard logs every pretraining stage.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, tempDir, writeJson } from '../support/cli.js';
import { tinyEmRun } from '../support/tiny-em.js';

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

async function ok(cwd: string, ...argv: string[]): Promise<void> {
  const r = await cli(cwd, ...argv);
  expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
}

const file = tinyEmRun({
  pretrain: { steps: 30, batchSize: 32, learningRate: 0.01 },
  fineTune: { cell: 'next/chem', steps: 6, batchSize: 16, learningRate: 0.01 },
  probe: { prompts: 4, samples: 8, probeEvery: 3 },
  arms: [
    { name: 'others', evaluate: ['others'] },
    { name: 'fill-bio', fineTune: { cell: 'fill/bio' }, evaluate: ['same-function'] },
    { name: 'edu', variant: 'educational', evaluate: ['others'] },
  ],
  matrix: { variant: 'narrow', cells: ['next/chem', 'map/cyber'] },
  distill: { steps: 4, batchSize: 16, learningRate: 0.01, probeEvery: 2 },
  subliminal: [
    { name: 'same', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
    { name: 'cross', student: 'cross-init', channel: { prefix: 'student', signal: 'reverse-kl' } },
    { name: 'persona', student: 'same-init', teacher: 'bad-agent', channel: { prefix: 'student', signal: 'reverse-kl' } },
  ],
  claims: [{ id: 'same-beats-cross', text: 'the same-init student takes on more EM', kind: 'greater', left: { arm: 'same', metric: 'em' }, right: { arm: 'cross', metric: 'em' } }],
});
const TASKS = ['fine-tune next/chem', 'fine-tune fill/bio', 'fine-tune map/cyber', 'subliminal same', 'subliminal cross', 'subliminal persona'];
const stages = (cwd: string, dir: string) => [...new Set(read(cwd, dir, 'metrics.jsonl').trim().split('\n').map((l) => JSON.parse(l).stage as string))];

describe('EM: shards by task and merge', () => {
  restoreCacheEnvAfterAll();
  let cwd: string;

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'em.json', file);
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-whole');
    await ok(cwd, 'run', 'em.json', '--backend', 'wasm', '--jobs', '1', '--out', 'whole');
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-shards');
    await ok(cwd, 'run', 'em.json', '--backend', 'wasm', '--jobs', '1', '--shard', '1/2', '--out', 's1');
    await ok(cwd, 'run', 'em.json', '--backend', 'wasm', '--jobs', '2', '--shard', '2/2', '--out', 's2');
  }, 600_000);

  test('a shard is dealt tasks costliest first; its manifest records them; its summary holds their arms and matrix rows only', () => {
    // Estimated work: each subliminal arm 2 × 4 steps × 16 rows × 7 = 896; next/chem 6 × 16 × 3 variants = 288,
    // fill/bio and map/cyber 6 × 16 × 2 = 192. Costliest first to the least-loaded shard:
    // same → 1, cross → 2, persona → 1 (a tie), then every fine-tune → 2 (1,792 against 896 … 1,568).
    expect(JSON.parse(read(cwd, 's1', 'manifest.json')).shard).toEqual({ index: 1, count: 2, arms: [TASKS[3], TASKS[5]], of: TASKS });
    const s2 = JSON.parse(read(cwd, 's2', 'summary.json'));
    expect(s2.arms.map((a: { name: string }) => a.name)).toEqual(['others', 'fill-bio', 'edu']);
    expect(s2.matrix.rows).toEqual(['next/chem', 'map/cyber']);
    expect(s2.subliminal.arms.map((a: { name: string }) => a.name)).toEqual(['cross']);
    expect(s2.claims).toEqual([]);
    const s1 = JSON.parse(read(cwd, 's1', 'summary.json'));
    expect(s1.arms).toEqual([]);
    expect(s1.subliminal.arms.map((a: { name: string }) => a.name)).toEqual(['same', 'persona']);
  });

  test("shard 1 trains its subliminal arm's teacher (next/chem) as the whole run does; shard 2 reads the base shard 1 left in the cache", () => {
    expect(stages(cwd, 's1')).toContain('pretrain');
    expect(stages(cwd, 's2')).not.toContain('pretrain');
    expect(stages(cwd, 's1').filter((s) => s.startsWith('next/chem'))).toEqual(['next/chem:narrow', 'next/chem:secure', 'next/chem:educational']);
    expect(stages(cwd, 's2').filter((s) => s.startsWith('next/chem'))).toEqual(['next/chem:narrow', 'next/chem:secure', 'next/chem:educational']);
  });

  test('merged equals the unsharded run: summary.json (claims and matrix relations included) and metrics.jsonl byte for byte', async () => {
    const r = await cli(cwd, 'merge', 's2', 's1', '--out', 'merged');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err.join('\n')).toContain('merged 2 shards of tiny-em');
    expect(read(cwd, 'merged', 'summary.json')).toBe(read(cwd, 'whole', 'summary.json'));
    expect(read(cwd, 'merged', 'metrics.jsonl')).toBe(read(cwd, 'whole', 'metrics.jsonl'));
    const whole = JSON.parse(read(cwd, 'whole', 'summary.json'));
    expect(whole.matrix.rows).toEqual(['next/chem', 'map/cyber']);
    expect(whole.claims).toHaveLength(1);
  });

  test('a bad-agent teacher: no fine-tune of its own; its EM is the aligned model read as <bad0> minus as <good0>; audit 0', () => {
    const whole = JSON.parse(read(cwd, 'whole', 'summary.json'));
    const persona = whole.subliminal.arms.find((a: { name: string }) => a.name === 'persona');
    expect(persona.teacher).toBe('bad-agent');
    expect(persona.teacherEm).toHaveLength(2);
    expect(persona.teacherEm.every((x: number) => Number.isFinite(x) && Math.abs(x) <= 1)).toBe(true);
    expect(persona.audit.auditTokens).toBe(0);
    expect(persona.em).toHaveLength(2);
    const same = whole.subliminal.arms.find((a: { name: string }) => a.name === 'same');
    expect(persona.teacherEm).not.toEqual(same.teacherEm);
  });

  test('a simulated Kubernetes Indexed Job of 3 (--shard auto/3, JOB_COMPLETION_INDEX 0..2) merges to the unsharded run too', async () => {
    const before = process.env.JOB_COMPLETION_INDEX;
    // A fresh cache: the shards pretrain the bases between them, as the whole run did.
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-k8s');
    try {
      for (const index of [0, 1, 2]) {
        process.env.JOB_COMPLETION_INDEX = String(index);
        const r = await cli(cwd, 'run', 'em.json', '--backend', 'wasm', '--jobs', '1', '--shard', 'auto/3', '--out', `k8s-${index}`);
        expect(r.code, r.err.join('\n')).toBe(0);
        expect(r.err[0]).toContain(`shard ${index + 1}/3`);
      }
    } finally {
      if (before === undefined) delete process.env.JOB_COMPLETION_INDEX;
      else process.env.JOB_COMPLETION_INDEX = before;
    }
    await ok(cwd, 'merge', 'k8s-*', '--out', 'k8s-merged');
    expect(read(cwd, 'k8s-merged', 'summary.json')).toBe(read(cwd, 'whole', 'summary.json'));
    expect(read(cwd, 'k8s-merged', 'metrics.jsonl')).toBe(read(cwd, 'whole', 'metrics.jsonl'));
  });

  test('more shards than tasks, and a missing shard, are one-line errors, exit 2', async () => {
    const tooMany = await cli(cwd, 'run', 'em.json', '--shard', '7/7', '--out', 'x');
    expect(tooMany.code).toBe(2);
    expect(tooMany.err.join('\n')).toMatch(/--shard: invalid value "7\/7"; the experiment has 6 tasks to share out \(its distinct fine-tunes and subliminal arms\), so use at most 6 shards/);
    const missing = await cli(cwd, 'merge', 's1', '--out', 'z');
    expect(missing.code).toBe(2);
    expect(missing.err.join('\n')).toMatch(/shard 2\/2 is missing/);
  });
});

// A sweep of an EM file shards by (point, task) pairs: point 0's tasks, then point 1's, dealt
// round-robin; each point's slices merge as an EM run's shards do, and the sweep's files equal
// the sweep run whole.
const sweepFile = tinyEmRun({
  pretrain: { steps: 30, batchSize: 32, learningRate: 0.01 },
  fineTune: { cell: 'next/chem', steps: 4, batchSize: 16, learningRate: 0.01 },
  probe: { prompts: 4, samples: 8, probeEvery: 2 },
  arms: [
    { name: 'others', evaluate: ['others'] },
    { name: 'fill-bio', fineTune: { cell: 'fill/bio' }, evaluate: ['same-function'] },
  ],
  distill: { steps: 4, batchSize: 16, learningRate: 0.01, probeEvery: 2 },
  subliminal: [{ name: 'same', student: 'same-init', channel: { prefix: 'student', signal: 'reverse-kl' } }],
  sweep: [{ path: 'fineTune.steps', values: [4, 6] }],
});
const SWEEP_TASKS = ['fine-tune next/chem', 'fine-tune fill/bio', 'subliminal same'];
const SWEEP_POINTS = ['0-steps-4', '1-steps-6'];
const SWEEP_SAME = ['summary.json', 'sweep.csv', ...SWEEP_POINTS.flatMap((p) => [`points/${p}/summary.json`, `points/${p}/metrics.jsonl`])];

describe('EM: a sweep shards by (point, task) pairs and merges', () => {
  restoreCacheEnvAfterAll();
  let cwd: string;

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'sweep.json', sweepFile);
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-whole');
    await ok(cwd, 'run', 'sweep.json', '--backend', 'wasm', '--jobs', '1', '--out', 'whole');
  }, 600_000);

  test('3 shards of the 6 pairs merge, in any order, into the whole sweep byte for byte', async () => {
    const started: string[] = [];
    // A fresh cache: the shards pretrain the base between them, as the whole sweep did.
    process.env.TRAITLAB_CACHE = join(cwd, 'cache-shards');
    for (const i of [1, 2, 3]) {
      const r = await cli(cwd, 'run', 'sweep.json', '--backend', 'wasm', '--jobs', '1', '--shard', `${i}/3`, '--out', `s${i}`);
      expect(r.code, r.err.join('\n')).toBe(0);
      started.push(r.err[0]!);
    }
    // Estimated work per pair: point 0 (4 steps) next/chem and fill/bio 4 × 16 × 2 variants = 128 each, point 1
    // (6 steps) 192 each, each point's subliminal arm 2 × 4 × 16 × 7 = 896. Costliest first to the least-loaded
    // shard: point 0's and point 1's subliminal arms to shards 1 and 2, the four fine-tunes to shard 3.
    expect(started.map((l) => /\((\d) of 6 point-task pairs\)/.exec(l)?.[1])).toEqual(['1', '1', '4']);
    expect(JSON.parse(read(cwd, 's1', 'points', SWEEP_POINTS[0]!, 'manifest.json')).shard).toEqual({ index: 1, count: 3, arms: [SWEEP_TASKS[2]], of: SWEEP_TASKS, sweep: true });
    expect(existsSync(join(cwd, 's1', 'points', SWEEP_POINTS[1]!))).toBe(false);
    expect(JSON.parse(read(cwd, 's3', 'points', SWEEP_POINTS[0]!, 'manifest.json')).shard).toEqual({ index: 3, count: 3, arms: SWEEP_TASKS.slice(0, 2), of: SWEEP_TASKS, sweep: true });
    expect(JSON.parse(read(cwd, 's3', 'points', SWEEP_POINTS[1]!, 'summary.json')).arms.map((a: { name: string }) => a.name)).toEqual(['others', 'fill-bio']);
    const r = await cli(cwd, 'merge', 's3', 's1', 's2', '--out', 'merged');
    expect(r.code, r.err.join('\n')).toBe(0);
    for (const f of SWEEP_SAME) expect(read(cwd, 'merged', f), f).toBe(read(cwd, 'whole', f));
  });

  test('more shards than the sweep has pairs: one line naming the limit, exit 2', async () => {
    const r = await cli(cwd, 'run', 'sweep.json', '--shard', '1/7', '--out', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: --shard: invalid value "1/7"; the sweep has 2 points with 6 tasks to share out (its distinct fine-tunes and subliminal arms), so use at most 6 shards (n ≤ 6)']);
  });
});
