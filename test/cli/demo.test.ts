// `traitlab demo` is `traitlab run` of the package's experiments/demo.json: the file validates
// (persona teacher, four arms: off/on-policy × same/cross-init, claims on each contrast), its
// options are run's, and a taken --out is refused before any work — the same path as run.
// (The demo itself takes about 75 s; it is timed in the README, not here.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { demoExperimentFile } from '../../src/cli/demo.js';
import { loadExperimentFile } from '../../src/registry/load-experiment.js';
import type { NumbersExperiment } from '../../src/worlds/numbers/schema.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { cli, tempDir } from '../support/cli.js';

describe('traitlab demo', () => {
  test('runs experiments/demo.json: persona teacher, off/on-policy × same/cross-init, a claim per contrast', () => {
    const exp = loadExperimentFile(demoExperimentFile(), {}, process.cwd(), checkRegistryNames) as NumbersExperiment;
    expect(exp.teacher.name).toBe('animal-persona');
    expect(exp.arms.map((a) => `${a.student} ${a.channel.prefix}+${a.channel.signal}`)).toEqual([
      // Off-policy on fresh teacher samples, so that off- and on-policy see every row once (equal reuse).
      'same-init teacher-fresh+forward-kl',
      'cross-init teacher-fresh+forward-kl',
      'same-init student+reverse-kl',
      'cross-init student+reverse-kl',
    ]);
    expect(exp.claims.map((c) => c.id)).toEqual(['teacher-has-trait', 'off-policy-transfer', 'on-policy-transfer', 'off-policy-same-beats-cross', 'on-policy-same-beats-cross']);
  });

  test('--help shows run options; a taken --out is refused with one line before any work', async () => {
    const help = await cli(tempDir(), 'demo', '--help');
    expect(help.code).toBe(0);
    for (const option of ['--backend', '--jobs', '--out', '--json']) expect(help.out.join('\n')).toContain(option);
    const dir = tempDir();
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'keep.txt'), 'mine');
    const r = await cli(dir, 'demo', '--out', 'taken');
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^traitlab: .*taken.*not empty/);
  });
});
