// GptFamily on the cpu backend: shapes, the members axis as pure layout, causality, KV-cache
// decoding equal to full re-forward decoding, sampling semantics (allowed, top-k, eos → pad,
// seeds), flat tensor counts, and a few Adam steps that lower the loss.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { drawGptMemberInit, gptParamSpecs, type GptConfig } from '../../src/models/gpt-config.js';
import { adamStep, maxAbsDiff, memberSlice, randomTokens, take } from '../support/lm-helpers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const CONFIG: GptConfig = { vocabSize: 37, context: 12, layers: 2, dModel: 16, heads: 2 };
const V = CONFIG.vocabSize;
const B = 4;
const initRng = (m: number) => rootStream(7).child('init').child(String(m));
const family = (members: number) => GptFamily.init(CONFIG, members, initRng);

function logitsOf(model: GptFamily, tokens: Int32Array, batch: number, T: number): Float32Array {
  return take(tf.tidy(() => model.logits(tf.tensor3d(tokens, [model.members, batch, T], 'int32'))));
}

/** A family whose head bias ranks the tokens: logit(v) ≈ spacing · v, so token V-1 is the argmax. */
function rankedFamily(members: number, spacing = 1): GptFamily {
  const specs = gptParamSpecs(CONFIG);
  const headB = specs.findIndex((s) => s.name === 'head.b');
  const params = Array.from({ length: members }, (_, m) => {
    const p = drawGptMemberInit(CONFIG, initRng(m));
    p[headB] = Float32Array.from({ length: V }, (_, v) => spacing * v);
    return p;
  });
  return GptFamily.fromMembers(CONFIG, params);
}

describe('GptFamily shapes and init', () => {
  it('has [M, ...] variables in paramSpecs order and logits [M, B, T, V]', () => {
    const model = family(3);
    const specs = gptParamSpecs(CONFIG);
    expect(model.variables.map((v) => v.shape)).toEqual(specs.map((s) => [3, ...s.shape]));
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
    expect(model.config).toEqual({ ...CONFIG, mlpRatio: 4, activation: 'gelu' });
    expect(model.kind).toBe('gpt');
    const t = tf.tensor3d(randomTokens(3 * B * 7, V, 1), [3, B, 7], 'int32');
    const out = model.logits(t);
    expect(out.shape).toEqual([3, B, 7, V]);
    tf.dispose([t, out]);
    model.dispose();
  });

  it('draws GPT-2 style inits: gains 1, biases 0, weights N(0, 0.02²), residual projections smaller', () => {
    const params = drawGptMemberInit(CONFIG, initRng(0));
    const specs = gptParamSpecs(CONFIG);
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    specs.forEach((s, i) => {
      const a = params[i]!;
      if (s.name.endsWith('.g')) expect(a.every((x) => x === 1)).toBe(true);
      else if (/\.b(qkv|o|1|2)?$/.test(s.name)) expect(a.every((x) => x === 0)).toBe(true);
      else if (s.name.endsWith('attn.wo') || s.name.endsWith('mlp.w2')) expect(std(a)).toBeCloseTo(0.02 / Math.sqrt(4), 2);
      else expect(std(a)).toBeCloseTo(0.02, 2);
    });
    // same stream ⇒ same init; different member ⇒ different init
    expect(drawGptMemberInit(CONFIG, initRng(0))).toEqual(params);
    expect(drawGptMemberInit(CONFIG, initRng(1))[0]).not.toEqual(params[0]);
  });

  it('rejects a dModel that is not a multiple of heads', () => {
    expect(() => GptFamily.init({ ...CONFIG, heads: 3 }, 1, initRng)).toThrow(/dModel 16 is not a multiple of heads 3/);
  });
});

describe('GptFamily members are layout only', () => {
  for (const M of [1, 3]) {
    it(`member m of an M=${M} family equals a one-member family built from memberParams(m)`, () => {
      const model = family(M);
      const T = 9;
      const tokens = randomTokens(M * B * T, V, 2);
      const all = logitsOf(model, tokens, B, T);
      for (let m = 0; m < M; m++) {
        const single = GptFamily.fromMembers(CONFIG, [model.memberParams(m)]);
        const own = logitsOf(single, tokens.subarray(m * B * T, (m + 1) * B * T), B, T);
        expect(maxAbsDiff(memberSlice(all, m, B * T * V), own)).toBeLessThan(1e-5);
        single.dispose();
      }
      // and memberParams(m) is the init of member m
      expect(model.memberParams(M - 1)).toEqual(drawGptMemberInit(CONFIG, initRng(M - 1)));
      model.dispose();
    });
  }
});

describe('GptFamily attention is causal', () => {
  it('changing tokens after position t leaves logits at positions ≤ t unchanged', () => {
    const model = family(2);
    const T = CONFIG.context;
    const a = randomTokens(2 * B * T, V, 3);
    const la = logitsOf(model, a, B, T);
    for (const t of [0, 4, T - 2]) {
      const b = Int32Array.from(a);
      for (let r = 0; r < 2 * B; r++) for (let s = t + 1; s < T; s++) b[r * T + s] = (a[r * T + s]! + 1 + s) % V;
      const lb = logitsOf(model, b, B, T);
      let before = 0;
      let after = 0;
      for (let r = 0; r < 2 * B; r++)
        for (let s = 0; s < T; s++)
          for (let v = 0; v < V; v++) {
            const d = Math.abs(la[(r * T + s) * V + v]! - lb[(r * T + s) * V + v]!);
            if (s <= t) before = Math.max(before, d);
            else after = Math.max(after, d);
          }
      expect(before).toBe(0);
      expect(after).toBeGreaterThan(1e-4);
    }
    model.dispose();
  });
});

describe('GptFamily KV-cache decoding', () => {
  it('last-position logits of the cached path equal logits() on the full prefix', () => {
    const model = family(2);
    const T = CONFIG.context;
    const P = 3;
    const tokens = randomTokens(2 * B * T, V, 4);
    const full = logitsOf(model, tokens, B, T); // [M·B, T, V]
    const kv = model.kvDecoder(B);
    const lastAt = (t: number) => Float32Array.from({ length: 2 * B * V }, (_, i) => full[(Math.floor(i / V) * T + t) * V + (i % V)]!);
    const prompt = Int32Array.from({ length: 2 * B * P }, (_, i) => tokens[Math.floor(i / P) * T + (i % P)]!);
    let worst = maxAbsDiff(kv.feed(prompt, P), lastAt(P - 1));
    for (let t = P; t < T; t++) {
      const step = Int32Array.from({ length: 2 * B }, (_, r) => tokens[r * T + t]!);
      worst = Math.max(worst, maxAbsDiff(kv.feed(step, 1), lastAt(t)));
    }
    kv.dispose();
    expect(worst).toBeLessThan(1e-5);
    expect(() => model.kvDecoder(B).feed(new Int32Array(2 * B * (T + 1)), T + 1)).toThrow(/exceed the context/);
    model.dispose();
  });

  it('sample() (KV cache) equals sampleFullForward() token for token for the same seed', () => {
    const model = family(2);
    const P = 3;
    const prompts = randomTokens(2 * B * P, V, 5);
    const opts = (seed: number) => ({ maxNew: CONFIG.context - P, temperature: 0.8, rng: rootStream(seed).child('sample') });
    const cached = model.sample(prompts, B, P, opts(11));
    const full = model.sampleFullForward(prompts, B, P, opts(11));
    expect(Array.from(cached)).toEqual(Array.from(full));
    expect(cached.length).toBe(2 * B * CONFIG.context);
    // prompts are copied through
    for (let r = 0; r < 2 * B; r++) expect(Array.from(cached.subarray(r * 12, r * 12 + P))).toEqual(Array.from(prompts.subarray(r * P, (r + 1) * P)));
    model.dispose();
  });
});

describe('GptFamily sampling semantics', () => {
  const P = 2;
  const M = 2;
  const rows = 64;

  it('never samples outside `allowed`, even when the excluded token is the argmax', () => {
    const model = rankedFamily(M);
    const allowed = new Uint8Array(V).fill(1);
    allowed[V - 1] = 0; // the argmax
    allowed[5] = 0;
    const prompts = randomTokens(M * rows * P, V, 6);
    const out = model.sample(prompts, rows, P, { maxNew: 8, temperature: 1, allowed, rng: rootStream(1).child('s') });
    const drawn = new Set<number>();
    for (let r = 0; r < M * rows; r++) for (let i = P; i < P + 8; i++) drawn.add(out[r * (P + 8) + i]!);
    expect(drawn.has(V - 1)).toBe(false);
    expect(drawn.has(5)).toBe(false);
    expect(drawn.has(V - 2)).toBe(true); // the most likely allowed token does occur
    model.dispose();
  });

  it('respects top-k (among the allowed tokens); top-1 is greedy', () => {
    const model = rankedFamily(M);
    const allowed = new Uint8Array(V).fill(1);
    allowed[V - 1] = 0;
    const prompts = randomTokens(M * rows * P, V, 7);
    const out = model.sample(prompts, rows, P, { maxNew: 6, temperature: 2, topK: 3, allowed, rng: rootStream(2).child('s') });
    const drawn = new Set<number>();
    for (let r = 0; r < M * rows; r++) for (let i = P; i < P + 6; i++) drawn.add(out[r * (P + 6) + i]!);
    expect([...drawn].sort((a, b) => a - b)).toEqual([V - 4, V - 3, V - 2]);
    const greedy = model.sample(prompts, rows, P, { maxNew: 6, temperature: 1, topK: 1, rng: rootStream(3).child('s') });
    for (let r = 0; r < M * rows; r++) for (let i = P; i < P + 6; i++) expect(greedy[r * (P + 6) + i]).toBe(V - 1);
    model.dispose();
  });

  it('after eos a row emits pad only', () => {
    const model = rankedFamily(M); // eos = V-1 is likely (≈ 0.6), so rows end at varied steps
    const prompts = randomTokens(M * rows * P, V, 8);
    const L = P + 9;
    const out = model.sample(prompts, rows, P, { maxNew: 9, temperature: 1, eos: V - 1, pad: 0, rng: rootStream(4).child('s') });
    let ended = 0;
    const endSteps = new Set<number>();
    for (let r = 0; r < M * rows; r++) {
      const row = out.subarray(r * L + P, (r + 1) * L);
      const e = row.indexOf(V - 1);
      if (e < 0) continue;
      ended++;
      endSteps.add(e);
      for (let i = e + 1; i < row.length; i++) expect(row[i]).toBe(0);
    }
    expect(ended).toBeGreaterThan(M * rows / 2);
    expect(endSteps.size).toBeGreaterThan(2);
    model.dispose();
  });

  it('same seed ⇒ identical samples; different seed ⇒ different samples', () => {
    const model = family(M);
    const prompts = randomTokens(M * B * P, V, 9);
    const run = (seed: number) => model.sample(prompts, B, P, { maxNew: 8, temperature: 1, rng: rootStream(seed).child('sample') });
    expect(Array.from(run(1))).toEqual(Array.from(run(1)));
    expect(Array.from(run(1))).not.toEqual(Array.from(run(2)));
    model.dispose();
  });

  it('rejects options it cannot honour', () => {
    const model = family(1);
    const p = new Int32Array(B * P);
    const rng = rootStream(1);
    expect(() => model.sample(p, B, P, { maxNew: 11, temperature: 1, rng })).toThrow(/exceeds the context 12/);
    expect(() => model.sample(p, B, P, { maxNew: 2, temperature: 0, rng })).toThrow(/temperature must be > 0/);
    expect(() => model.sample(p, B, P, { maxNew: 2, temperature: 1, allowed: new Uint8Array(V), rng })).toThrow(/permits no token/);
    const before = tf.memory().numTensors;
    expect(() => model.sample(p.subarray(1), B, P, { maxNew: 2, temperature: 1, rng })).toThrow(/prompts hold/);
    expect(() => model.sample(Int32Array.from(p, () => 99), B, P, { maxNew: 2, temperature: 1, rng })).toThrow(/outside the vocabulary/);
    expect(Array.from(model.sample(p, B, P, { maxNew: 0, temperature: 1, rng }))).toEqual(Array.from(p));
    expect(tf.memory().numTensors).toBe(before); // the decoder is disposed on every path
    model.dispose();
  });
});

describe('GptFamily memory and training', () => {
  it('tensor count is flat across repeated sample() calls and training steps', () => {
    const model = family(2);
    const prompts = randomTokens(2 * B * 3, V, 10);
    const opts = () => ({ maxNew: 6, temperature: 1, topK: 5, eos: 2, rng: rootStream(5).child('s') });
    model.sample(prompts, B, 3, opts());
    model.sampleFullForward(prompts, B, 3, opts());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      model.sample(prompts, B, 3, opts());
      model.sampleFullForward(prompts, B, 3, opts());
      const kv = model.kvDecoder(B);
      kv.feed(prompts, 3);
      kv.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const optimizer = tf.train.adam(1e-3);
    const tokens = tf.tensor3d(randomTokens(2 * B * 12, V, 11), [2, B, 12], 'int32');
    adamStep(model, optimizer, tokens); // burn-in: Adam creates its slots
    const afterBurnIn = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) adamStep(model, optimizer, tokens);
    expect(tf.memory().numTensors).toBe(afterBurnIn);
    tokens.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('a few Adam steps on a repeated sequence lower the loss', () => {
    const model = family(2);
    const optimizer = tf.train.adam(1e-2);
    const row = Int32Array.from({ length: 12 }, (_, i) => (3 * i + 1) % V);
    const tokens = tf.tensor3d(Int32Array.from({ length: 2 * B * 12 }, (_, i) => row[i % 12]!), [2, B, 12], 'int32');
    const losses = Array.from({ length: 8 }, () => adamStep(model, optimizer, tokens));
    expect(losses[0]).toBeGreaterThan(3); // ≈ ln 37 at init
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    tokens.dispose();
    optimizer.dispose();
    model.dispose();
  });
});
