// `traitlab plan --cpu` (issue 17): the CPU estimate extrapolated from two shortened runs of the
// file. The shortening and the extrapolation are checked against hand-computed values; the
// command is run on a tiny numbers file, whose shards' arm estimates add up to the whole run's.
import { describe, expect, test } from 'vitest';
import { calibrationFactors, extrapolate, scaledExperiment } from '../../src/cli/cpu-calibration.js';
import { runWorlds } from '../../src/registry/run-worlds.js';
import { cli, tempDir, writeJson } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';

/** "12.5 s" or "3.1 min" as seconds. */
const seconds = (t: string): number => (t.endsWith(' min') ? 60 : 1) * Number(t.split(' ')[0]);

describe('the calibration', () => {
  restoreCacheEnvAfterAll();

  test('a shortened file scales every steps and probeEvery (at least 1 each), nothing else', () => {
    const exp = runWorlds.parse(tinyNumbers({ pretrain: { steps: 250, batchSize: 32, learningRate: 0.01 }, distill: { steps: 400, batchSize: 16, learningRate: 0.01, probeEvery: 100, fixedSetSize: 64 } }));
    const short = scaledExperiment(exp, 0.03) as unknown as { pretrain: { steps: number; batchSize: number }; distill: { steps: number; probeEvery: number; fixedSetSize: number; batchSize: number } };
    expect(short.pretrain.steps).toBe(8); // round(7.5)
    expect(short.distill.steps).toBe(12);
    expect(short.distill.probeEvery).toBe(3);
    expect(short.distill.fixedSetSize).toBe(64);
    expect(short.pretrain.batchSize).toBe(32);
    const tiny = scaledExperiment(exp, 0.001) as unknown as { distill: { steps: number; probeEvery: number } };
    expect(tiny.distill).toMatchObject({ steps: 1, probeEvery: 1 });
  });

  test('the fractions keep every probe interval whole, so the shortened runs probe as often as the file', () => {
    const withProbes = (every: number) => runWorlds.parse(tinyNumbers({ distill: { steps: 1000, batchSize: 16, learningRate: 0.01, probeEvery: every, fixedSetSize: 64 } }));
    // numbers-owl's 100: 1 % and 3 % (intervals 1 and 3: 10 probes of 10 and of 30 steps, as 10 of 1,000).
    expect(calibrationFactors(withProbes(100))).toEqual([0.01, 0.03]);
    // EM's 50: 1 % of 50 rounds to 1, so 2 % and 6 % (intervals 1 and 3).
    expect(calibrationFactors(withProbes(50))).toEqual([0.02, 0.06]);
    // 250: 3 / 250 = 1.2 % and 3.6 % (intervals 3 and 9).
    expect(calibrationFactors(withProbes(250))).toEqual([3 / 250, 9 / 250]);
    // 3: whole intervals would need a third of the steps; 1 % and 3 %, the intervals rounded.
    expect(calibrationFactors(withProbes(3))).toEqual([0.01, 0.03]);
  });

  test('extrapolation is the line through the two points, read at f = 1', () => {
    // 10 s at 1 %, 14 s at 3 %: 2 s per percent, an intercept of 8 s, so 208 s at 100 %.
    expect(extrapolate([0.01, 0.03], [10, 14])).toBeCloseTo(208, 9);
    // A longer run that took less (noise) is not read as negative work: the longer run's time.
    expect(extrapolate([0.01, 0.03], [10, 9])).toBe(9);
  });

  test('plan --cpu on a numbers file: the whole run and each shard, the shards adding up to the whole', async () => {
    const cwd = tempDir();
    process.env.TRAITLAB_CACHE = `${cwd}/cache`;
    // Pretraining long enough (300 steps: 3 and 9 in the calibration) that its CPU time shows.
    writeJson(cwd, 'n.json', tinyNumbers({ pretrain: { steps: 300, batchSize: 32, learningRate: 0.01 } }));
    const r = await cli(cwd, 'plan', 'n.json', '--shards', '2', '--cpu', '--jobs', '1');
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.err).toEqual(['calibrating on wasm: a run of 1 % of the steps…', 'calibrating on wasm: a run of 3 % of the steps…']);
    const text = r.out.join('\n');
    const time = '([\\d.]+ (?:s|min))';
    const whole = new RegExp(`Estimated CPU time on this machine \\(extrapolated from runs of 1 % and 3 % of the steps, which took ${time}\\): arms ${time}, plus ${time} of pretraining`).exec(text);
    expect(whole, text).not.toBeNull();
    const [calibration, arms, pretrain] = whole!.slice(1).map(seconds) as [number, number, number];
    expect(arms).toBeGreaterThan(0);
    expect(pretrain).toBeGreaterThan(0);
    expect(calibration).toBeGreaterThan(0);
    const shards = [...text.matchAll(new RegExp(` {2}shard (\\d)/2: arms ${time}`, 'g'))].map((m) => seconds(m[2]!));
    expect(shards).toHaveLength(2);
    // Each printed to a hundredth of a second.
    expect(Math.abs(shards[0]! + shards[1]! - arms)).toBeLessThanOrEqual(0.015);
    // Shard 1 holds 59 % of the work estimate (plan.test.ts), so the larger share.
    expect(shards[0]!).toBeGreaterThanOrEqual(shards[1]!);
  }, 300_000);

  test('--cpu of a sweep, or of a file that cannot be shortened, is one line, exit 2', async () => {
    const cwd = tempDir();
    writeJson(cwd, 's.json', tinyNumbers({ sweep: [{ path: 'distill.learningRate', values: [0.01, 0.02] }] }));
    const r = await cli(cwd, 'plan', 's.json', '--cpu');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['traitlab: --cpu: calibrates one experiment, not a sweep; write the point you want timed as a file and plan that with --cpu']);
  });
});
