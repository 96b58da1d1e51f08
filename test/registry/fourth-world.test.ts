// Adding a world is one folder and one registry line: the toy world (test/support/toy-world/,
// registered here and nowhere else) goes through every command that reads runs — run, show,
// report, verify, and run --shard + merge — with no change outside its folder.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerWorld, unregisterWorld, worldNames } from '../../src/registry/worlds.js';
import { cli, tempDir, writeJson } from '../support/cli.js';
import { toyWorld } from '../support/toy-world/world.js';

const experiment = {
  name: 'toy-run',
  world: 'toy',
  seeds: 3,
  rootSeed: 7,
  arms: [
    { name: 'a', rate: 0.5 },
    { name: 'b', rate: -0.3 },
    { name: 'c', rate: 0.1 },
  ],
  claims: [{ id: 'a-learns', text: 'arm a ends near its rate', kind: 'greater', left: { arm: 'a', metric: 'score' }, value: 0.5 }],
};

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('a fourth world, registered in one line', () => {
  let dir: string;
  beforeAll(() => {
    registerWorld(toyWorld);
    dir = tempDir();
    writeJson(dir, 'toy.json', experiment);
  });
  afterAll(() => unregisterWorld('toy'));

  test('is listed with the others, and a bad world name lists it', async () => {
    expect(worldNames()).toEqual(['mnist', 'numbers', 'em', 'toy']);
    writeJson(dir, 'bad.json', { ...experiment, world: 'toys' });
    const r = await cli(dir, 'run', 'bad.json');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: world: invalid value "toys"; use one of "mnist", "numbers", "em", "toy"']);
  });

  test('run: its table, summary.json tagged "toy", its metrics, its claim evaluated', async () => {
    const r = await cli(dir, 'run', 'toy.json', '--out', 'whole', '--backend', 'cpu', '--jobs', '1');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/toy-run · toy world · 3 seeds\na {2}score 0\.\d+ ± 0\.\d+/);
    const summary = JSON.parse(read(join(dir, 'whole'), 'summary.json')) as { world: string; arms: { name: string; score: number[] }[]; claims: { id: string; verdict: string }[] };
    expect(summary.world).toBe('toy');
    expect(summary.arms.map((a) => a.name)).toEqual(['a', 'b', 'c']);
    expect(summary.arms.every((a) => a.score.length === 3 && a.score.every((s) => s > 0 && s <= 1))).toBe(true);
    expect(summary.claims.map((c) => c.id)).toEqual(['a-learns']);
    const stages = read(join(dir, 'whole'), 'metrics.jsonl').trim().split('\n').map((l) => (JSON.parse(l) as { stage: string }).stage);
    expect(stages).toEqual(['setup', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'c']);
  });

  test('show prints the toy table again; report draws its chart and table', async () => {
    const shown = await cli(dir, 'show', 'whole');
    expect(shown.code).toBe(0);
    expect(shown.out.join('\n')).toMatch(/^b {2}score /m);
    rmSync(join(dir, 'whole', 'report.html'));
    const report = await cli(dir, 'report', 'whole');
    expect(report.code).toBe(0);
    const html = read(join(dir, 'whole'), 'report.html');
    expect(html).toContain('Score per arm');
    expect(html).toContain('<svg');
    expect(html).toContain('toy world · 3 seeds');
  });

  test('verify re-runs it from the manifest: identical', async () => {
    const r = await cli(dir, 'verify', 'whole');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/^reproduced: \d+ numbers identical \(summary\.json byte for byte\)$/m);
  });

  test('two shards merged give the unsharded files byte for byte', async () => {
    for (const i of [1, 2]) expect((await cli(dir, 'run', 'toy.json', '--shard', `${i}/2`, '--out', `s${i}`, '--backend', 'cpu', '--jobs', '1')).code).toBe(0);
    const r = await cli(dir, 'merge', 's1', 's2', '--out', 'merged');
    expect(r.code).toBe(0);
    expect(read(join(dir, 'merged'), 'summary.json')).toBe(read(join(dir, 'whole'), 'summary.json'));
    expect(read(join(dir, 'merged'), 'metrics.jsonl')).toBe(read(join(dir, 'whole'), 'metrics.jsonl'));
  });
});
