// The sweep block: its expansion into points (order, labels, the values set in each point's
// file) and every bad input as one line naming the sweep entry (and, for a value the world's
// schema rejects, the field underneath), before anything runs.
import { describe, expect, test } from 'vitest';
import { expandSweep, parseSweepPath, pointDirName, settingNames } from '../../src/config/sweep.js';
import { parseSweep } from '../../src/registry/load-sweep.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { sweepShardPicks } from '../../src/run/sweep-shard.js';
import { tinyExperiment } from '../support/cli.js';
import { tinyNumbers } from '../support/tiny-numbers.js';

const withSweep = (sweep: unknown, base: Record<string, unknown> = tinyExperiment()) => ({ ...base, sweep });

describe('expansion', () => {
  test('one setting: a point per value, in order, each file with that value and no sweep', () => {
    const plan = parseSweep(withSweep([{ path: 'distill.epochs', values: [1, 2, 5] }]), {}, checkRegistryNames);
    expect(plan.points.map((p) => [p.index, p.label, p.at])).toEqual([
      [0, 'epochs-1', [0]],
      [1, 'epochs-2', [1]],
      [2, 'epochs-5', [2]],
    ]);
    expect(plan.points.map((p) => (p.exp as unknown as { distill: { epochs: number } }).distill.epochs)).toEqual([1, 2, 5]);
    expect(plan.points.every((p) => !('sweep' in p.input))).toBe(true);
    // everything else is the file's, untouched
    expect((plan.points[2]!.exp as unknown as { distill: { batchSize: number } }).distill.batchSize).toBe(256);
    expect(plan.config.sweep).toEqual([{ path: 'distill.epochs', values: [1, 2, 5] }]);
  });

  test('two settings: the cartesian product, the first slowest; labels name both', () => {
    const plan = parseSweep(withSweep([{ path: 'distill.epochs', values: [1, 2] }, { path: 'model.auxLogits', values: [3, 1, 5] }]), {}, checkRegistryNames);
    expect(plan.points.map((p) => p.label)).toEqual(['epochs-1_auxLogits-3', 'epochs-1_auxLogits-1', 'epochs-1_auxLogits-5', 'epochs-2_auxLogits-3', 'epochs-2_auxLogits-1', 'epochs-2_auxLogits-5']);
    expect(plan.points[4]!.settings).toEqual([
      { path: 'distill.epochs', value: 2 },
      { path: 'model.auxLogits', value: 1 },
    ]);
    const e = plan.points[4]!.exp as unknown as { distill: { epochs: number }; model: { auxLogits: number } };
    expect([e.distill.epochs, e.model.auxLogits]).toEqual([2, 1]);
  });

  test('a list item, a setting the file leaves to its default, and values that are lists', () => {
    const plan = parseSweep(withSweep([{ path: 'arms[2].logits', values: ['aux', 'all'] }, { path: 'distill.temperature', values: [1, 2] }]), {}, checkRegistryNames);
    expect(plan.points.map((p) => p.label)).toEqual(['logits-aux_temperature-1', 'logits-aux_temperature-2', 'logits-all_temperature-1', 'logits-all_temperature-2']);
    expect((plan.points[3]!.exp.arms[2] as { logits?: string }).logits).toBe('all');
    const hidden = expandSweep(tinyExperiment(), [{ path: 'model.hidden', values: [[8], [16, 16]] }]);
    expect(hidden.map((p) => p.label)).toEqual(['hidden-_8_', 'hidden-_16_16_']);
    expect((hidden[1]!.input.model as { hidden: number[] }).hidden).toEqual([16, 16]);
  });

  test('two settings with the same last key are named by their paths; dirs sort in run order', () => {
    expect(settingNames(['teacher.epochs', 'distill.epochs'])).toEqual(['teacher.epochs', 'distill.epochs']);
    expect(pointDirName({ index: 3, label: 'epochs-5' }, 12)).toBe('03-epochs-5');
    expect(pointDirName({ index: 3, label: 'epochs-5' }, 6)).toBe('3-epochs-5');
    expect(parseSweepPath('arms[0].channel.signal')).toEqual(['arms', 0, 'channel', 'signal']);
    expect(parseSweepPath('a..b')).toBeNull();
  });

  test('--seeds applies to every point', () => {
    const plan = parseSweep(withSweep([{ path: 'distill.epochs', values: [1, 2] }]), { seeds: 3 }, checkRegistryNames);
    expect(plan.points.map((p) => p.exp.seeds)).toEqual([3, 3]);
  });

  test('numbers world: a channel setting of one arm is swept like any other path', () => {
    const file = tinyNumbers();
    const arms = file.arms as { channel: { signal: string } }[];
    const plan = parseSweep(withSweep([{ path: 'arms[0].channel.signal', values: [arms[0]!.channel.signal] }], file), {}, checkRegistryNames);
    expect(plan.points).toHaveLength(1);
    expect(plan.points[0]!.label).toBe(`signal-${arms[0]!.channel.signal}`);
  });

  test('shards share out the (point, arm) pairs round-robin, point after point', () => {
    const plan = parseSweep(withSweep([{ path: 'distill.epochs', values: [1, 2] }]), {}, checkRegistryNames);
    const exps = plan.points.map((p) => p.exp);
    // 4 arms × 2 points = 8 pairs over 3 shards: 0,3,6 | 1,4,7 | 2,5
    expect(sweepShardPicks(exps, { index: 1, count: 3 })).toEqual([['reference', 'student-cross'], ['student-same']]);
    expect(sweepShardPicks(exps, { index: 2, count: 3 })).toEqual([['teacher'], ['reference', 'student-cross']]);
    expect(sweepShardPicks(exps, { index: 3, count: 3 })).toEqual([['student-same'], ['teacher']]);
  });
});

describe('bad input: one line naming the sweep entry', () => {
  const message = (sweep: unknown, base?: Record<string, unknown>) => {
    try {
      parseSweep(withSweep(sweep, base), {}, checkRegistryNames);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  test.each([
    ['a path that is not a setting', [{ path: 'distill.stepz', values: [1] }], 'sweep[0].path: "distill.stepz" is not a setting of a MNIST-world experiment; the settings under distill are epochs, batchSize, learningRate, noiseImages, temperature, probeEvery'],
    ['a misspelt setting', [{ path: 'distill.epochz', values: [1] }], 'sweep[0].path: "distill.epochz" is not a setting of a MNIST-world experiment; did you mean "distill.epochs"?'],
    ['a misspelt object on the way', [{ path: 'distil.epochs', values: [1] }], 'sweep[0].path: "distil.epochs" is not a setting of a MNIST-world experiment; did you mean "distill.epochs"? (the top-level settings are name, description, notes, world, seeds, rootSeed, seedsVary, logEvery, model, teacher, distill, arms, claims, claimDefaults)'],
    ['a list item the file does not have', [{ path: 'arms[7].logits', values: ['aux'] }], 'sweep[0].path: "arms[7].logits" is not a setting of a MNIST-world experiment; the file\'s arms list has 4 items (arms[0] to arms[3])'],
    ['a key the arm kind does not have', [{ path: 'arms[2].logitz', values: ['aux'] }], 'sweep[0].path: "arms[2].logitz" is not a setting of a MNIST-world experiment; did you mean "arms[2].logits"? (the settings under arms[2] are name, kind, student, logits'],
    ['a value the schema rejects', [{ path: 'distill.epochs', values: [1, 2, 0] }], 'sweep[0].values[2]: distill.epochs must be ≥ 1 (got 0)'],
    ['a value of the wrong kind', [{ path: 'distill.epochs', values: [1] }, { path: 'arms[2].logits', values: ['aux', 'none'] }], 'sweep[1].values[1]: arms[2].logits invalid value "none"; use one of "aux", "all"'],
    ['more than two settings', [{ path: 'distill.epochs', values: [1] }, { path: 'teacher.epochs', values: [1] }, { path: 'seeds', values: [2] }], 'sweep: sweeps 3 settings; a sweep varies one or two (the cartesian product when two): split it into several files'],
    ['an empty list of values', [{ path: 'distill.epochs', values: [] }], 'sweep[0].values: must have at least 1 item (got 0)'],
    ['no settings', [], 'sweep: must have at least 1 item (got 0)'],
    ['a duplicate value', [{ path: 'distill.epochs', values: [1, 2, 1] }], 'sweep[0].values[2]: duplicate value 1 (also values[0]); list each value once'],
    ['the world', [{ path: 'world', values: ['numbers'] }], 'sweep[0].path: "world" cannot be swept: a sweep stays in one world; write one file per world'],
    ['the sweep itself', [{ path: 'sweep[0].values', values: [[1]] }], 'sweep[0].path: "sweep[0].values" cannot be swept: a sweep cannot vary itself; list the settings to vary in sweep'],
    ['one setting twice', [{ path: 'distill', values: [{}] }, { path: 'distill.epochs', values: [1] }], 'sweep[1].path: "distill.epochs" overlaps sweep[0].path "distill"; sweep two different settings, or one'],
    ['a path that is not a path', [{ path: 'distill..epochs', values: [1] }], 'sweep[0].path: invalid path "distill..epochs"; write a dotted path with [i] for list items, e.g. "distill.epochs" or "arms[0].channel.signal"'],
    ['an unknown key in an entry', [{ path: 'distill.epochs', values: [1], label: 'x' }], 'sweep[0].label: unknown key; remove it (allowed keys: path, values)'],
  ])('%s', (_name, sweep, expected) => {
    const got = message(sweep);
    expect(got.startsWith(expected), got).toBe(true);
    expect(got).not.toContain('\n');
  });

  test('numbers world: a path not in its schema names the world', () => {
    expect(message([{ path: 'distill.stepz', values: [1] }], tinyNumbers())).toMatch(/^sweep\[0\]\.path: "distill\.stepz" is not a setting of a numbers-world experiment; did you mean "distill\.steps"\?/);
  });
});
