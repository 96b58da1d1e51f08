// Golden trajectories (DESIGN: test/golden/). For each world a tiny experiment runs on the wasm
// backend with a fresh, empty base cache, and what it produced is compared EXACTLY, bit for bit,
// with test/golden/<world>.json: the logged losses of the first 20 optimizer steps of its
// stages, the SHA-256 of the final parameters' bytes (the bases it pretrained — their
// checkpoints' dataSha256 — and, for MNIST, the trained teacher), and the SHA-256 of the run's
// summary (what summary.json holds). Numbers are stored as JSON numbers (JSON.stringify writes
// the shortest decimal that reads back to the same double, and every loss is a float32 value)
// and the whole file text is compared, so nothing is rounded or compared with a tolerance.
//
// A CHANGE THAT MOVES NUMERICS MUST UPDATE THESE ON PURPOSE, IN ITS OWN COMMIT THAT SAYS WHY.
// Regenerate with:
//
//   UPDATE_GOLDEN=1 npx vitest run test/golden/golden.test.ts
//
// With UPDATE_GOLDEN set, every test rewrites its file and then FAILS, naming what it wrote (so
// a run that rewrote the files can never pass as a check); run again without it to check them.
import { restoreCacheEnvAfterAll } from '../support/cache-env.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { mnistTeacher } from '../../teachers/index.js';
import type { MnistExperiment } from '../../src/worlds/mnist/schema.js';
import { parseExperiment } from '../../src/registry/load-experiment.js';
import { activeBackend, selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { MlpFamily } from '../../src/models/mlp.js';
import { shippedBasesDir } from '../../src/run/base-cache.js';
import { readCheckpointHeader } from '../../src/run/checkpoint-file.js';
import { initContext } from '../../src/worlds/mnist/init-context.js';
import { layerSizes } from '../../src/worlds/mnist/experiment.js';
import { checkRegistryNames } from '../../src/registry/worlds.js';
import { runExperiment } from '../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../src/run/types.js';
import { loadMnist } from '../../src/worlds/mnist/digit-files.js';
import { tempDir } from '../support/cli.js';

const UPDATE = process.env.UPDATE_GOLDEN !== undefined && process.env.UPDATE_GOLDEN !== '' && process.env.UPDATE_GOLDEN !== '0';
const FIRST_STEPS = 20;
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

// The tiny experiments. rootSeed 20261204 keeps their bases' hashes away from the shipped ones
// (checked below: every base is trained in the test's own cache).
const ROOT_SEED = 20261204;

const mnist = {
  name: 'golden-mnist',
  world: 'mnist',
  seeds: 2,
  rootSeed: ROOT_SEED,
  logEvery: 1,
  model: { hidden: [8], auxLogits: 3 },
  teacher: { name: 'mnist-aux', epochs: 1, batchSize: 400, learningRate: 0.003 }, // 8000 / 400 = 20 steps
  distill: { noiseImages: 320, epochs: 1, batchSize: 16, learningRate: 0.003 }, // 20 steps
  arms: [
    { name: 'teacher', kind: 'teacher' },
    { name: 'student-same', kind: 'student', student: 'same-init', logits: 'aux' },
  ],
};

const numbers = {
  name: 'golden-numbers',
  world: 'numbers',
  seeds: 2,
  rootSeed: ROOT_SEED,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: FIRST_STEPS, batchSize: 32, learningRate: 0.01 }, // logged every step (steps / 20)
  // `owl`: the old name of animal-fine-tune, kept (the golden file records the config as written).
  teacher: { name: 'owl', target: 'owl', steps: 10, batchSize: 32, learningRate: 0.01 }, // every step (steps / 10)
  distill: { steps: 6, batchSize: 16, learningRate: 0.01, fixedSetSize: 32, probeEvery: 1 },
  arms: [{ name: 'same-fixed-tokens', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } }],
};

const em = {
  name: 'golden-em',
  world: 'em',
  seeds: 2,
  rootSeed: ROOT_SEED,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: FIRST_STEPS, batchSize: 32, learningRate: 0.01 }, // every step (steps / 20)
  align: { steps: 10, batchSize: 32, learningRate: 0.01 }, // every step (steps / 10)
  fineTune: { cell: 'next/chem', steps: 6, batchSize: 16, learningRate: 0.01 },
  probe: { prompts: 6, samples: 10, probeEvery: 1 },
  arms: [{ name: 'others', evaluate: ['others'] }],
};

restoreCacheEnvAfterAll();
beforeAll(async () => {
  await selectBackend('wasm');
});

/**
 * The training losses of the first 20 logged steps of every stage, in the order they were
 * logged: `loss` per member, or `kl` for an MNIST student (its distillation loss).
 */
function firstLosses(records: MetricsRecord[]): ({ stage: string; step: number } & Record<string, unknown>)[] {
  const key = (r: MetricsRecord) => (r.loss !== undefined ? 'loss' : r.kl !== undefined ? 'kl' : undefined);
  return records.filter((r) => key(r) !== undefined && r.step <= FIRST_STEPS).map((r) => ({ stage: r.stage, step: r.step, [key(r)!]: r[key(r)!] }));
}

/** Runs `file` in-process on wasm with an empty cache; its records, summary and the cache. */
async function run(file: object) {
  const cache = tempDir('traitlab-golden-cache-');
  process.env.TRAITLAB_CACHE = cache;
  const exp = parseExperiment(file, {}, checkRegistryNames);
  const records: MetricsRecord[] = [];
  const summary = await runExperiment(exp, { onMetrics: (r) => records.push(structuredClone(r)), onProgress: () => {} }, { jobs: 1 });
  return { exp, records, summary, cache };
}

/** The bases a run pretrained into its cache: file name → SHA-256 of the weights' bytes. */
function baseChecksums(cache: string): Record<string, string> {
  const dir = join(cache, 'bases');
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ckpt')).sort()) {
    // Trained here, not one of the shipped bases (which the cache lookup would read first).
    expect(existsSync(join(shippedBasesDir(), name)), `${name} is a shipped base`).toBe(false);
    out[name] = readCheckpointHeader(join(dir, name)).dataSha256; // checked against the bytes on read
  }
  expect(Object.keys(out).length).toBeGreaterThan(0);
  return out;
}

/** Compares `actual` with test/golden/<world>.json, or (UPDATE_GOLDEN) rewrites it and fails. */
function golden(world: string, actual: Record<string, unknown>): void {
  expect(activeBackend()).toBe('wasm');
  const file = join(import.meta.dirname, `${world}.json`);
  const text = `${JSON.stringify({ world, backend: 'wasm', regenerate: 'UPDATE_GOLDEN=1 npx vitest run test/golden/golden.test.ts', ...actual }, null, 2)}\n`;
  if (UPDATE) {
    writeFileSync(file, text);
    expect.fail(`UPDATE_GOLDEN: wrote ${file} (${text.length} bytes, sha256 ${sha256(text)}); run without UPDATE_GOLDEN to check it`);
  }
  expect(existsSync(file), `${file} is missing: generate it with UPDATE_GOLDEN=1`).toBe(true);
  const stored = readFileSync(file, 'utf8');
  expect(JSON.parse(text), `differs from ${file} (a change that moves numerics updates it on purpose: see the header)`).toEqual(JSON.parse(stored)); // a readable diff
  expect(text).toBe(stored); // and exactly the stored text
}

describe('golden trajectories (wasm, bit for bit)', () => {
  test('mnist: teacher and a same-init aux-logit student, 20 steps each; the teacher parameters; the summary', async () => {
    const { exp, records, summary } = await run(mnist);
    const losses = firstLosses(records);
    expect(losses.filter((l) => l.stage === 'teacher')).toHaveLength(FIRST_STEPS);
    expect(losses.filter((l) => l.stage === 'student-same')).toHaveLength(FIRST_STEPS);

    // The run keeps no MNIST parameters: the teacher stage again, as runMnistExperiment trains
    // it, for the SHA-256 of its final weights; its losses must be the run's, bit for bit.
    const m = exp as MnistExperiment;
    const ctx = initContext(layerSizes(m), m.rootSeed, m.seeds);
    const teacher = new MlpFamily(layerSizes(m), ctx.teacherInits);
    const again: number[][] = [];
    let parameters: string;
    try {
      mnistTeacher(m.teacher.name).train(teacher, loadMnist(), m.teacher, rootStream(m.rootSeed).child('teacher-data'), {
        logEvery: 1,
        onLog: (_, loss) => again.push(loss),
        onStep: () => {},
      });
      const hash = createHash('sha256');
      for (let member = 0; member < m.seeds; member++) {
        const p = teacher.memberParams(member);
        for (const a of [...p.weights, ...p.biases]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      }
      parameters = hash.digest('hex');
    } finally {
      teacher.dispose();
    }
    expect(again).toEqual(losses.filter((l) => l.stage === 'teacher').map((l) => l.loss));
    expect(losses.filter((l) => l.stage === 'student-same').every((l) => Array.isArray(l.kl))).toBe(true);

    golden('mnist', {
      config: mnist,
      losses,
      parameters: { 'teacher (members 0..M-1: weights then biases, layer by layer, float32 bytes)': parameters },
      summarySha256: sha256(JSON.stringify(summary, null, 2)),
    });
  }, 120_000);

  test('numbers: pretrain (20 steps), teacher, a distillation arm; the base parameters; the summary', async () => {
    const { records, summary, cache } = await run(numbers);
    const losses = firstLosses(records);
    expect(losses.filter((l) => l.stage === 'pretrain')).toHaveLength(FIRST_STEPS);
    golden('numbers', {
      config: numbers,
      losses,
      parameters: baseChecksums(cache),
      summarySha256: sha256(JSON.stringify(summary, null, 2)),
    });
  }, 120_000);

  test('em: pretrain (20 steps), align, fine-tune; the base and aligned parameters; the summary', async () => {
    const { records, summary, cache } = await run(em);
    const losses = firstLosses(records);
    expect(losses.filter((l) => l.stage === 'pretrain')).toHaveLength(FIRST_STEPS);
    golden('em', {
      config: em,
      losses,
      parameters: baseChecksums(cache),
      summarySha256: sha256(JSON.stringify(summary, null, 2)),
    });
  }, 120_000);
});
