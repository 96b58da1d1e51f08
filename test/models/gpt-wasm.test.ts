// GptFamily on the wasm backend, where some kernels are missing (no gradient for gather): every
// variable gets a gradient, training lowers the loss, the KV cache matches full re-forward
// decoding, and the logits agree with the cpu backend's.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import type { GptConfig } from '../../src/models/gpt-config.js';
import { adamStep, lmLoss, maxAbsDiff, randomTokens, take } from '../support/lm-helpers.js';

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const CONFIG: GptConfig = { vocabSize: 37, context: 12, layers: 2, dModel: 16, heads: 2 };
const V = CONFIG.vocabSize;
const B = 4;
const initRng = (m: number) => rootStream(7).child('init').child(String(m));

describe('GptFamily on wasm', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  for (const M of [1, 2]) {
    it(`every variable gets a non-zero gradient from the LM loss (M=${M})`, () => {
      const model = GptFamily.init(CONFIG, M, initRng);
      const tokens = tf.tensor3d(randomTokens(M * B * 12, V, 1), [M, B, 12], 'int32');
      const norms = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => lmLoss(model, tokens), model.variables);
        return model.variables.map((v) => {
          const g = grads[v.name]!;
          expect(g.shape).toEqual(v.shape);
          // per member: every member's slice of every variable moves
          return Array.from(tf.sum(tf.abs(tf.reshape(g, [M, -1])), 1).dataSync());
        });
      });
      norms.forEach((perMember, i) => {
        for (const n of perMember) expect(n, `${model.paramSpecs[i]!.name}`).toBeGreaterThan(0);
        for (const n of perMember) expect(Number.isFinite(n)).toBe(true);
      });
      tokens.dispose();
      model.dispose();
    });
  }

  it('a few Adam steps on a repeated sequence lower the loss; tensor count stays flat', () => {
    const model = GptFamily.init(CONFIG, 2, initRng);
    const optimizer = tf.train.adam(1e-2);
    const row = Int32Array.from({ length: 12 }, (_, i) => (5 * i + 2) % V);
    const tokens = tf.tensor3d(Int32Array.from({ length: 2 * B * 12 }, (_, i) => row[i % 12]!), [2, B, 12], 'int32');
    const losses = [adamStep(model, optimizer, tokens)];
    const count = tf.memory().numTensors;
    for (let i = 0; i < 7; i++) losses.push(adamStep(model, optimizer, tokens));
    expect(tf.memory().numTensors).toBe(count);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    tokens.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('sample() (KV cache) equals sampleFullForward() token for token; cached logits equal logits()', () => {
    const model = GptFamily.init(CONFIG, 2, initRng);
    const P = 3;
    const T = CONFIG.context;
    const prompts = randomTokens(2 * B * P, V, 2);
    const opts = () => ({ maxNew: T - P, temperature: 1, rng: rootStream(3).child('sample') });
    const before = tf.memory().numTensors;
    const cached = model.sample(prompts, B, P, opts());
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(cached)).toEqual(Array.from(model.sampleFullForward(prompts, B, P, opts())));
    // the cached path's logits at the last position of the sampled rows
    const full = take(tf.tidy(() => model.logits(tf.tensor3d(cached, [2, B, T], 'int32'))));
    const kv = model.kvDecoder(B);
    const promptRows = Int32Array.from({ length: 2 * B * P }, (_, i) => cached[Math.floor(i / P) * T + (i % P)]!);
    let worst = 0;
    const lastAt = (t: number) => Float32Array.from({ length: 2 * B * V }, (_, i) => full[(Math.floor(i / V) * T + t) * V + (i % V)]!);
    worst = Math.max(worst, maxAbsDiff(kv.feed(promptRows, P), lastAt(P - 1)));
    for (let t = P; t < T; t++) worst = Math.max(worst, maxAbsDiff(kv.feed(Int32Array.from({ length: 2 * B }, (_, r) => cached[r * T + t]!), 1), lastAt(t)));
    kv.dispose();
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
  });

  it('logits agree with the cpu backend', async () => {
    const tokens = randomTokens(2 * B * 12, V, 4);
    const run = () => {
      const model = GptFamily.init(CONFIG, 2, initRng);
      const out = take(tf.tidy(() => model.logits(tf.tensor3d(tokens, [2, B, 12], 'int32'))));
      model.dispose();
      return out;
    };
    const onWasm = run();
    await selectBackend('cpu');
    const onCpu = run();
    await selectBackend('wasm');
    expect(maxAbsDiff(onWasm, onCpu)).toBeLessThan(1e-4);
  });
});
