// The bases shipped in bases/ for the demo: exactly the two the demo experiment needs (its own
// seeds and the other seeds), each loading as a gpt family of the demo's seeds whose recorded
// config hash matches the demo's model — so the demo starts from them instead of pretraining.
// Rebuild them with `npx traitlab pretrain experiments/demo.json --out bases`. They are format 2:
// their weights verify against the SHA-256 in their headers, and those weights are the ones the
// demo's results were made with (rewritten from format 1 without touching a data byte).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadExperimentFile } from '../../src/registry/load-experiment.js';
import type { NumbersExperiment } from '../../src/worlds/numbers/schema.js';
import { selectBackend } from '../../src/engine/backend.js';
import { modelConfigHash, encodeCheckpoint } from '../../src/models/checkpoint.js';
import { loadCheckpoint, readCheckpointHeader } from '../../src/run/checkpoint-file.js';
import { baseFileName, shippedBasesDir } from '../../src/run/base-cache.js';
import { baseCacheKey, gptBaseConfig } from '../../src/worlds/numbers/experiment.js';
import { packageRoot } from '../../src/run/package-root.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';

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
      const family = loadCheckpoint(file, { kind: key.kind, configHash: modelConfigHash(key.kind, key.modelConfig) });
      expect(family.members).toBe(exp.seeds);
      expect(family.vocabSize).toBe(46);
      family.dispose();
      // The hash check has teeth: the same file read as another model config is refused.
      expect(() => loadCheckpoint(file, { kind: other.kind, configHash: modelConfigHash(other.kind, other.modelConfig) })).toThrow(/config/i);
    }
  });

  test('each is format 2, its weights verify, and they are the format-1 weights the demo was made with', () => {
    // SHA-256 of the data bytes of the format-1 files these were rewritten from (commit d20b2fa).
    const weights: Record<string, string> = {
      'gpt-7db3269fbed153da.ckpt': '1ac38646bcf3c464a52cbd86bdec754a76b1a8004a2ffa1dbfc250b39a8b2d10',
      'gpt-965fb1cbdb29c352.ckpt': 'd289caff207c71a77ee0ec5000fde4dcb28bbf16da089b671363833532826fad',
    };
    expect(readdirSync(shippedBasesDir()).sort()).toEqual(Object.keys(weights).sort());
    for (const [name, sha] of Object.entries(weights)) {
      const file = join(shippedBasesDir(), name);
      const header = readCheckpointHeader(file); // checks the checksum
      expect(header.format).toBe(2);
      const bytes = readFileSync(file);
      expect(createHash('sha256').update(bytes.subarray(bytes.length - header.byteLength)).digest('hex')).toBe(sha);
      expect(header.dataSha256).toBe(sha);
      // and the file is exactly what saving the loaded base writes today
      const family = loadCheckpoint(file);
      expect(Buffer.from(encodeCheckpoint(family)).equals(bytes)).toBe(true);
      family.dispose();
    }
  });
});
