// The lab's settings in the URL: every setting round-trips exactly, and a bad value in a link
// falls back to its default with a notice naming the key, the problem and the default.
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../src/lab/lab-config.js';
import { configFromHash, hashOf } from '../../src/lab/url-state.js';

const CONFIGS: LabConfig[] = [
  DEFAULT_CONFIG,
  { target: 'eagle', student: 'cross-init', prefix: 'mix', signal: 'jsd', lambda: 0.3, beta: 0.1 + 0.2, steps: 9999, learningRate: 1e-7, samplingTemperature: 0.05, lossTemperature: 10, seeds: 3, probeEvery: 1 },
  { ...DEFAULT_CONFIG, target: 'bear', prefix: 'student', signal: 'pg', lambda: 0, beta: 1, learningRate: 0.00123456789, samplingTemperature: 1 / 3, lossTemperature: 1 / 3 },
];

describe('URL state', () => {
  test('the hash names every setting, in a fixed order', () => {
    expect(hashOf(DEFAULT_CONFIG)).toBe('target=owl&student=same-init&prefix=teacher-fresh&signal=forward-kl&lambda=0.5&beta=0.5&steps=300&lr=0.002&ts=1&tl=1&seeds=1&probe=10');
  });

  test.each(CONFIGS.map((c, i) => [i, c] as const))('config %i: state → URL → state is exact, with no notice', (_, c) => {
    expect(configFromHash(`#${hashOf(c)}`)).toEqual({ config: c, notices: [] });
    expect(configFromHash(hashOf(c))).toEqual({ config: c, notices: [] });
  });

  test('a missing setting takes its default silently; an empty hash is the defaults', () => {
    expect(configFromHash('')).toEqual({ config: DEFAULT_CONFIG, notices: [] });
    expect(configFromHash('#target=cat&seeds=2')).toEqual({ config: { ...DEFAULT_CONFIG, target: 'cat', seeds: 2 }, notices: [] });
  });

  test('each bad value falls back to its own default, the others are kept, one notice per bad key', () => {
    const { config, notices } = configFromHash('#target=dragon&steps=-3&seeds=9&lr=abc&probe=2.5&signal=forward-kl&prefix=student&ts=0x10');
    expect(config).toEqual({ ...DEFAULT_CONFIG, prefix: 'student', signal: 'forward-kl' });
    expect(notices).toEqual([
      'target: invalid value "dragon"; use one of "owl", "cat", "dog", "fox", "bear", "wolf", "eagle", "lion"; using the default "owl"',
      'steps: must be ≥ 1 (got -3); using the default 300',
      'lr: expected a number > 0 and ≤ 1, got string "abc"; using the default 0.002',
      'ts: expected a number from 0.05 to 10, got string "0x10"; using the default 1',
      'seeds: must be ≤ 3 (got 9); using the default 1',
      'probe: must be a whole number (got 2.5); use an integer from 1 to 10000; using the default 10',
    ]);
  });

  test('settings valid one by one that do not go together fall back to the defaults, with the reason', () => {
    const { config, notices } = configFromHash('#prefix=teacher-fixed&signal=pg&steps=50');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(notices).toEqual([
      'arms[0].channel.prefix: "teacher-fixed" cannot go with signal "pg", whose gradient is right only on the student\'s own samples; use prefix "student" (or a signal such as "reverse-kl"); using the default settings',
    ]);
  });

  test('an unknown key is named and ignored; an empty value is a bad value', () => {
    const { config, notices } = configFromHash('#colour=blue&beta=');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(notices).toEqual([
      'beta: expected a number from 0 to 1, got string ""; using the default 0.5',
      'colour: unknown setting in the link; ignored (settings: target, student, prefix, signal, lambda, beta, steps, lr, ts, tl, seeds, probe)',
    ]);
  });
});
