// Which world the URL shows, and the MNIST settings in it: `#world=mnist&…` is the MNIST panel,
// no world or world=numbers the numbers panel (old links open what they did); the MNIST settings
// round-trip exactly and a bad value falls back to its default with a notice, as the numbers
// settings do; the world key is never an unknown setting.
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/lab/lab-config.js';
import { DEFAULT_MNIST_CONFIG, type MnistConfig } from '../../src/lab/mnist-config.js';
import { configFromHash, hashOf, mnistConfigFromHash, mnistHashOf, worldFromHash } from '../../src/lab/url-state.js';

const CONFIGS: MnistConfig[] = [
  DEFAULT_MNIST_CONFIG,
  { seeds: 3, teacherEpochs: 20, noiseImages: 60_000, distillEpochs: 20, learningRate: 1e-7, probeEvery: 10_000 },
  { seeds: 1, teacherEpochs: 1, noiseImages: 1, distillEpochs: 1, learningRate: 0.1 + 0.2, probeEvery: 1 },
];

describe('the world in the URL', () => {
  test('world=mnist is the MNIST panel; none, or world=numbers, the numbers panel', () => {
    expect(worldFromHash('#world=mnist&seeds=2')).toEqual({ world: 'mnist', notices: [] });
    expect(worldFromHash(`#${mnistHashOf(DEFAULT_MNIST_CONFIG)}`)).toEqual({ world: 'mnist', notices: [] });
    expect(worldFromHash('')).toEqual({ world: 'numbers', notices: [] });
    expect(worldFromHash(`#${hashOf(DEFAULT_CONFIG)}`)).toEqual({ world: 'numbers', notices: [] });
    expect(worldFromHash('world=numbers&target=cat')).toEqual({ world: 'numbers', notices: [] });
  });

  test('an unknown world falls back to numbers with a notice', () => {
    expect(worldFromHash('#world=em')).toEqual({ world: 'numbers', notices: ['world: invalid value "em"; use one of "numbers", "mnist"; using the default "numbers"'] });
  });

  test('the world key is not an unknown setting of either world', () => {
    expect(configFromHash('#world=numbers&target=cat')).toEqual({ config: { ...DEFAULT_CONFIG, target: 'cat' }, notices: [] });
    expect(mnistConfigFromHash('#world=mnist')).toEqual({ config: DEFAULT_MNIST_CONFIG, notices: [] });
  });
});

describe('MNIST settings in the URL', () => {
  test('the hash is world=mnist, then every setting in a fixed order', () => {
    const c = DEFAULT_MNIST_CONFIG;
    expect(mnistHashOf(c)).toBe(`world=mnist&seeds=${c.seeds}&tepochs=${c.teacherEpochs}&noise=${c.noiseImages}&depochs=${c.distillEpochs}&lr=${c.learningRate}&probe=${c.probeEvery}`);
  });

  test.each(CONFIGS.map((c, i) => [i, c] as const))('config %i: state → URL → state is exact, with no notice', (_, c) => {
    expect(mnistConfigFromHash(`#${mnistHashOf(c)}`)).toEqual({ config: c, notices: [] });
    expect(mnistConfigFromHash(mnistHashOf(c))).toEqual({ config: c, notices: [] });
  });

  test('a missing setting takes its default silently', () => {
    expect(mnistConfigFromHash('#world=mnist&seeds=3&noise=1000')).toEqual({ config: { ...DEFAULT_MNIST_CONFIG, seeds: 3, noiseImages: 1000 }, notices: [] });
  });

  test('each bad value falls back to its own default, the others are kept, one notice per bad key', () => {
    const d = DEFAULT_MNIST_CONFIG;
    const { config, notices } = mnistConfigFromHash('#world=mnist&seeds=4&tepochs=2.5&noise=100000&depochs=3&lr=0&probe=x');
    expect(config).toEqual({ ...d, distillEpochs: 3 });
    expect(notices).toEqual([
      `seeds: must be ≤ 3 (got 4); using the default ${d.seeds}`,
      `tepochs: must be a whole number (got 2.5); use an integer from 1 to 20; using the default ${d.teacherEpochs}`,
      `noise: must be ≤ 60000 (got 100000); using the default ${d.noiseImages}`,
      `lr: must be > 0 (got 0); using the default ${d.learningRate}`,
      `probe: expected an integer from 1 to 10000, got string "x"; using the default ${d.probeEvery}`,
    ]);
  });

  test("an unknown key is named and ignored, and a numbers setting is unknown to MNIST", () => {
    const { config, notices } = mnistConfigFromHash('#world=mnist&target=owl');
    expect(config).toEqual(DEFAULT_MNIST_CONFIG);
    expect(notices).toEqual(['target: unknown setting in the link; ignored (settings: seeds, tepochs, noise, depochs, lr, probe)']);
  });
});
