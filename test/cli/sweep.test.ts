// `traitlab run` of a sweep file: one sweep directory with a run directory per point, the sweep
// table on the terminal, sweep.csv and a report with the metric-against-setting chart. Shards of
// the (point, arm) pairs merge into the whole sweep byte for byte; an interrupted sweep resumes
// without rerunning its finished points; bad input is one line, exit 2, nothing written.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
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
const sweep = [{ path: 'distill.epochs', values: [1, 2] }];
const POINTS = ['0-epochs-1', '1-epochs-2'];
/** Every file a sweep run whole and its merged shards must agree on, byte for byte. */
const SAME = ['summary.json', 'sweep.csv', ...POINTS.flatMap((p) => [`points/${p}/summary.json`, `points/${p}/metrics.jsonl`])];

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

async function ok(cwd: string, ...argv: string[]) {
  const r = await cli(cwd, ...argv);
  expect(r.code, [...r.out, ...r.err].join('\n')).toBe(0);
  return r;
}

describe('a sweep run whole, in shards, and interrupted', () => {
  let cwd: string;
  let whole: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    cwd = tempDir();
    writeJson(cwd, 'sweep.json', tinyExperiment({ claims, sweep }));
    whole = await ok(cwd, 'run', 'sweep.json', '--backend', 'wasm', '--jobs', '2', '--out', 'whole');
  });

  test('one run directory per point under points/, and the sweep files beside them', () => {
    expect(readdirSync(join(cwd, 'whole')).sort()).toEqual(['manifest.json', 'points', 'report.html', 'summary.json', 'sweep.csv']);
    expect(readdirSync(join(cwd, 'whole', 'points')).sort()).toEqual(POINTS);
    for (const p of POINTS) expect(readdirSync(join(cwd, 'whole', 'points', p)).sort()).toEqual(['manifest.json', 'metrics.jsonl', 'report.html', 'summary.json']);
    const pointConfig = JSON.parse(read(cwd, 'whole', 'points', POINTS[1]!, 'manifest.json')).config;
    expect(pointConfig.distill.epochs).toBe(2);
    expect(pointConfig.sweep).toBeUndefined();
    const m = JSON.parse(read(cwd, 'whole', 'manifest.json'));
    expect(m.config.sweep).toEqual(sweep);
    expect(m.sweep.points.map((p: { dir: string }) => p.dir)).toEqual(POINTS.map((p) => `points/${p}`));
  });

  test('the summary holds per point and arm the accuracy per seed with its interval, and the point\'s claims', () => {
    const s = JSON.parse(read(cwd, 'whole', 'summary.json'));
    expect(s.metric).toBe('accuracy');
    expect(s.points.map((p: { label: string; settings: unknown }) => [p.label, p.settings])).toEqual([
      ['epochs-1', { 'distill.epochs': 1 }],
      ['epochs-2', { 'distill.epochs': 2 }],
    ]);
    for (const [i, p] of POINTS.entries()) {
      const point = JSON.parse(read(cwd, 'whole', 'points', p, 'summary.json'));
      const same = point.arms.find((a: { name: string }) => a.name === 'student-same');
      const swept = s.points[i].arms.find((a: { name: string }) => a.name === 'student-same');
      expect(swept.values).toEqual(same.accuracy);
      expect(swept.mean).toBeCloseTo(same.mean, 12);
      expect(swept.ci95).toBeCloseTo(same.ci95, 12);
      expect(s.points[i].claims).toEqual([{ id: 'same-beats-cross', verdict: point.claims[0].verdict, pValue: point.claims[0].pValue }]);
    }
    // the two points differ: the second distilled twice as long
    expect(s.points[0].arms[2].values).not.toEqual(s.points[1].arms[2].values);
  });

  test('the terminal prints the table: points × arms, mean ± interval', () => {
    const out = whole.out.join('\n');
    expect(out).toMatch(/^tiny · sweep of distill\.epochs · 2 points · 2 seeds · root seed 3 · backend wasm/);
    expect(out).toMatch(/distill\.epochs\s+arm\s+accuracy \(mean ± 95 % CI\)\s+seeds/);
    expect(out).toMatch(/\n2\s+student-cross\s+0\.\d{4} ± \d+\.\d{4}\s+2\n/);
    expect(out).toContain('claims, evaluated per point on its own seeds:');
    expect(out).toContain('  epochs-2  same-beats-cross: ');
    expect(whole.out.at(-1)).toBe('report: whole/report.html');
  });

  test('sweep.csv: one row per point, arm and seed', () => {
    const lines = read(cwd, 'whole', 'sweep.csv').trimEnd().split('\n');
    expect(lines[0]).toBe('point,label,distill.epochs,arm,metric,seed,value,mean,ci95');
    expect(lines).toHaveLength(1 + 2 * 4 * 2);
    expect(lines[1]).toMatch(/^0,epochs-1,1,reference,accuracy,0,0\.\d+,0\.\d+,0\.\d+$/);
  });

  test('report.html draws the accuracy against distill.epochs with a line per arm, and links each point', () => {
    const html = read(cwd, 'whole', 'report.html');
    expect(html).toContain('<figure class="chart" id="sweep"><h3>accuracy against distill.epochs</h3><svg');
    expect(html).toContain('a line per arm');
    // the chart's legend names the arms, its axis the swept setting
    for (const arm of ['student-same', 'student-cross', 'teacher']) expect(html).toMatch(new RegExp(`<text[^>]*>${arm}</text>`));
    expect(html).toMatch(/<text[^>]*>distill\.epochs<\/text>/);
    expect(html).toContain('href="points/1-epochs-2/report.html"');
    expect(html).toContain('epochs-2: same-beats-cross');
  });

  test('show prints the sweep table again (summary.json, sweep.csv); report writes the same page again', async () => {
    const shown = await ok(cwd, 'show', 'whole');
    expect(shown.out.join('\n')).toContain(whole.out.slice(0, -1).join('\n'));
    expect((await ok(cwd, 'show', 'whole', '--csv', 'summary')).out.join('\n') + '\n').toBe(read(cwd, 'whole', 'sweep.csv'));
    const before = read(cwd, 'whole', 'report.html');
    expect((await ok(cwd, 'report', 'whole')).out).toEqual(['wrote whole/report.html']);
    expect(read(cwd, 'whole', 'report.html')).toBe(before);
    const v = await cli(cwd, 'verify', 'whole');
    expect(v.code).toBe(2);
    expect(v.err).toEqual(['traitlab: whole: is a sweep directory; verify re-runs one run, so give one of its points (whole/points/<point>)']);
  });

  test('shards of the point-arm pairs merge into the whole sweep byte for byte', async () => {
    for (const i of [1, 2, 3]) await ok(cwd, 'run', 'sweep.json', '--backend', 'wasm', '--jobs', '1', '--shard', `${i}/3`, '--out', `s${i}`);
    // 8 pairs over 3 shards: shard 3 runs point 0's student-same and point 1's teacher only
    expect(JSON.parse(read(cwd, 's3', 'points', POINTS[0]!, 'manifest.json')).shard).toEqual({ index: 3, count: 3, arms: ['student-same'], of: ['reference', 'teacher', 'student-same', 'student-cross'], sweep: true });
    const r = await ok(cwd, 'merge', 's2', 's3', 's1', '--out', 'merged');
    expect(r.out.join('\n')).toContain('tiny · sweep of distill.epochs · 2 points');
    for (const f of SAME) expect(read(cwd, 'merged', f), f).toBe(read(cwd, 'whole', f));
    expect(existsSync(join(cwd, 'merged', 'report.html'))).toBe(true);
    expect(JSON.parse(read(cwd, 'merged', 'manifest.json')).merged.shards.map((s: { index: number }) => s.index)).toEqual([1, 2, 3]);
  });

  test('merge refuses a missing sweep shard: one line, exit 2, nothing written', async () => {
    const r = await cli(cwd, 'merge', 's1', 's2', '--out', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: shards: shard 3/3 is missing; give all 3 shards']);
    expect(existsSync(join(cwd, 'bad'))).toBe(false);
    expect(existsSync(join(cwd, 'bad.partial'))).toBe(false);
  });

  test('interrupted in its second point, it resumes there: the first point is not rerun, the result is the whole run\'s', async () => {
    // The first point has 2 student arms of 1 step each: stopping after 3 steps stops the second point.
    process.env.TRAITLAB_STOP_AFTER_STEPS = '3';
    let stopped;
    try {
      stopped = await cli(cwd, 'run', 'sweep.json', '--backend', 'wasm', '--jobs', '1', '--out', 'stopped');
    } finally {
      delete process.env.TRAITLAB_STOP_AFTER_STEPS;
    }
    expect(stopped.code).toBe(130);
    expect(stopped.err.at(-1)).toBe('traitlab: interrupted (SIGINT); the run is saved in stopped.partial; continue it with: traitlab run --resume stopped.partial');
    expect(readdirSync(join(cwd, 'stopped.partial', 'points')).sort()).toEqual([POINTS[0], `${POINTS[1]}.partial`]);
    const firstBefore = read(cwd, 'stopped.partial', 'points', POINTS[0]!, 'manifest.json');
    const r = await ok(cwd, 'run', '--resume', 'stopped.partial', '--jobs', '1');
    expect(r.err).toContain('point 1/2 epochs-1: finished before, kept');
    expect(r.err).toContain('point 2/2 epochs-2: resuming');
    // the finished point's files are those it had (its manifest records when it ran)
    expect(read(cwd, 'stopped', 'points', POINTS[0]!, 'manifest.json')).toBe(firstBefore);
    for (const f of SAME) expect(read(cwd, 'stopped', f), f).toBe(read(cwd, 'whole', f));
    expect(existsSync(join(cwd, 'stopped.partial'))).toBe(false);
  });
});

describe('bad sweep input: one line naming the path, exit 2, nothing written', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir();
  });

  test.each([
    ['a path that is not a setting', [{ path: 'distill.epochz', values: [1] }], 'traitlab: sweep[0].path: "distill.epochz" is not a setting of a MNIST-world experiment; did you mean "distill.epochs"? (the settings under distill are epochs, batchSize, learningRate, noiseImages, temperature, probeEvery)'],
    ['a value the schema rejects', [{ path: 'distill.epochs', values: [1, 2, 0] }], 'traitlab: sweep[0].values[2]: distill.epochs must be ≥ 1 (got 0)'],
    ['three settings', [{ path: 'distill.epochs', values: [1] }, { path: 'teacher.epochs', values: [1] }, { path: 'seeds', values: [2] }], 'traitlab: sweep: sweeps 3 settings; a sweep varies one or two (the cartesian product when two): split it into several files'],
    ['an empty list', [{ path: 'distill.epochs', values: [] }], 'traitlab: sweep[0].values: must have at least 1 item (got 0)'],
    ['duplicate values', [{ path: 'distill.epochs', values: [2, 2] }], 'traitlab: sweep[0].values[1]: duplicate value 2 (also values[0]); list each value once'],
    ['the world', [{ path: 'world', values: ['numbers'] }], 'traitlab: sweep[0].path: "world" cannot be swept: a sweep stays in one world; write one file per world'],
    ['the sweep', [{ path: 'sweep', values: [[]] }], 'traitlab: sweep[0].path: "sweep" cannot be swept: a sweep cannot vary itself; list the settings to vary in sweep'],
  ])('%s', async (_name, bad, line) => {
    writeJson(cwd, 'bad.json', tinyExperiment({ sweep: bad }));
    const r = await cli(cwd, 'run', 'bad.json', '--backend', 'wasm', '--out', 'out');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([line]);
    expect(r.out).toEqual([]);
    expect(readdirSync(cwd).sort()).toEqual(['bad.json']);
  });

  test('--shard beyond the point-arm pairs', async () => {
    writeJson(cwd, 'one.json', tinyExperiment({ sweep: [{ path: 'distill.epochs', values: [1] }] }));
    const r = await cli(cwd, 'run', 'one.json', '--backend', 'wasm', '--shard', '1/5', '--out', 'out');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: --shard: invalid value "1/5"; the sweep has 1 points with 4 arms, so use at most 4 shards (n ≤ 4)']);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  test('pretrain takes a sweep file as it takes its points: an MNIST sweep has no bases, one line, nothing written', async () => {
    writeJson(cwd, 'sw.json', tinyExperiment({ sweep }));
    const r = await cli(cwd, 'pretrain', 'sw.json', '--out', 'bases');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: world: "mnist" experiments have no pretrained bases; pretrain a numbers-world or EM-world experiment']);
    expect(existsSync(join(cwd, 'bases'))).toBe(false);
  });
});
