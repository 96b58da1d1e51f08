// The bases shipped in bases/ for the demo: exactly the two the demo experiment needs (its own
// seeds and the other seeds), each loading as a gpt family of the demo's seeds whose recorded
// config hash matches the demo's model — so the demo starts from them instead of pretraining.
// Rebuild them with `npx traitlab pretrain experiments/demo.json --out bases`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentFile } from '../../src/config/load.js';
import type { NumbersExperiment } from '../../src/config/numbers-experiment.js';
import { selectBackend } from '../../src/engine/backend.js';
import { configHash, loadCheckpoint } from '../../src/models/checkpoint.js';
import { baseFileName, shippedBasesDir } from '../../src/pipeline/base-cache.js';
import { baseCacheKey, gptBaseConfig } from '../../src/pipeline/numbers-experiment.js';
import { packageRoot } from '../../src/pipeline/package-root.js';
import { checkRegistryNames } from '../../src/pipeline/registry-check.js';

let exp: NumbersExperiment;
beforeAll(async () => {
  await selectBackend('cpu');
  exp = loadExperimentFile(join(packageRoot(), 'experiments', 'demo.json'), {}, packageRoot(), checkRegistryNames) as NumbersExperiment;
});

describe('shipped demo bases', () => {
  test('bases/ holds exactly the own-seed and other-seed bases of experiments/demo.json', () => {
    const c = gptBaseConfig(exp);
    const wanted = [0, exp.seeds].map((firstSeed) => baseFileName(baseCacheKey(exp, c, firstSeed))).sort();
    expect(readdirSync(shippedBasesDir()).sort()).toEqual(wanted);
  });

  test('each loads, with the demo model config hash and one member per seed', () => {
    const c = gptBaseConfig(exp);
    const other = baseCacheKey({ ...exp, model: { ...exp.model, dModel: 16 } }, gptBaseConfig({ ...exp, model: { ...exp.model, dModel: 16 } }), 0);
    for (const firstSeed of [0, exp.seeds]) {
      const key = baseCacheKey(exp, c, firstSeed);
      const file = join(shippedBasesDir(), baseFileName(key));
      expect(existsSync(file)).toBe(true);
      const family = loadCheckpoint(file, { kind: key.kind, configHash: configHash(key.kind, key.modelConfig) });
      expect(family.members).toBe(exp.seeds);
      expect(family.vocabSize).toBe(46);
      family.dispose();
      // The hash check has teeth: the same file read as another model config is refused.
      expect(() => loadCheckpoint(file, { kind: other.kind, configHash: configHash(other.kind, other.modelConfig) })).toThrow(/config/i);
    }
  });
});
