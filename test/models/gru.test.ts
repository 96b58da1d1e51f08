// GruFamily: logits equal a float64 reference GRU; the members axis is layout only; sampling
// semantics (allowed, top-k, eos → pad, seeds) as for the gpt family; the sampler's carried
// state equals re-reading the prefix; flat tensor counts; Adam lowers the loss (cpu and wasm);
// every variable gets a gradient on wasm.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { drawGruMemberInit, GruFamily, gruParamSpecs, type GruConfig } from '../../src/models/gru.js';
import { adamStep, lmLoss, maxAbsDiff, memberSlice, randomTokens, take } from '../support/lm-helpers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});
afterAll(async () => {
  await selectBackend('cpu');
});

const CONFIG: GruConfig = { vocabSize: 37, context: 12, dEmbed: 12, hidden: 16 };
const V = CONFIG.vocabSize;
const H = CONFIG.hidden;
const B = 4;
const initRng = (m: number) => rootStream(8).child('init').child(String(m));
const family = (members: number) => GruFamily.init(CONFIG, members, initRng);

function logitsOf(model: GruFamily, tokens: Int32Array, batch: number, T: number): Float32Array {
  return take(tf.tidy(() => model.logits(tf.tensor3d(tokens, [model.members, batch, T], 'int32'))));
}

/** Float64 GRU on one row of tokens with one member's parameters → logits [T, V]. */
function referenceLogits(p: Float32Array[], row: ArrayLike<number>): number[] {
  const [emb, wx, bx, wh, bh, hw, hb] = p as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const E = CONFIG.dEmbed;
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  let h = new Array<number>(H).fill(0);
  const out: number[] = [];
  for (let t = 0; t < row.length; t++) {
    const tok = row[t]!;
    const a = Array.from({ length: 3 * H }, (_, j) => {
      let s = bx[j]!;
      for (let i = 0; i < E; i++) s += emb[tok * E + i]! * wx[i * 3 * H + j]!;
      return s;
    });
    const c = Array.from({ length: 3 * H }, (_, j) => {
      let s = bh[j]!;
      for (let i = 0; i < H; i++) s += h[i]! * wh[i * 3 * H + j]!;
      return s;
    });
    h = h.map((hp, j) => {
      const z = sig(a[j]! + c[j]!);
      const r = sig(a[H + j]! + c[H + j]!);
      const n = Math.tanh(a[2 * H + j]! + r * c[2 * H + j]!);
      return (1 - z) * n + z * hp;
    });
    for (let v = 0; v < V; v++) {
      let s = hb[v]!;
      for (let i = 0; i < H; i++) s += h[i]! * hw[i * V + v]!;
      out.push(s);
    }
  }
  return out;
}

/** A family whose head bias ranks the tokens: logit(v) ≈ v, so token V-1 is the argmax. */
function rankedFamily(members: number): GruFamily {
  const headB = gruParamSpecs(CONFIG).findIndex((s) => s.name === 'head.b');
  const params = Array.from({ length: members }, (_, m) => {
    const p = drawGruMemberInit(CONFIG, initRng(m));
    p[headB] = Float32Array.from({ length: V }, (_, v) => v);
    const headW = gruParamSpecs(CONFIG).findIndex((s) => s.name === 'head.w');
    p[headW] = p[headW]!.map((x) => x * 0.1); // the state's pull on the logits is small against the ramp
    return p;
  });
  return GruFamily.fromMembers(CONFIG, params);
}

describe('GruFamily forward', () => {
  it('has [M, ...] variables in paramSpecs order and logits [M, B, T, V] equal to a float64 reference', () => {
    const model = family(2);
    expect(model.kind).toBe('gru');
    expect(model.variables.map((v) => v.shape)).toEqual(gruParamSpecs(CONFIG).map((s) => [2, ...s.shape]));
    const T = 9;
    const tokens = randomTokens(2 * B * T, V, 1);
    const all = logitsOf(model, tokens, B, T);
    expect(all.length).toBe(2 * B * T * V);
    let worst = 0;
    for (let m = 0; m < 2; m++) {
      const p = model.memberParams(m);
      for (let b = 0; b < B; b++) {
        const r = m * B + b;
        worst = Math.max(worst, maxAbsDiff(all.subarray(r * T * V, (r + 1) * T * V), referenceLogits(p, tokens.subarray(r * T, (r + 1) * T))));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
  });

  for (const M of [1, 3]) {
    it(`member m of an M=${M} family equals a one-member family built from memberParams(m)`, () => {
      const model = family(M);
      const T = 7;
      const tokens = randomTokens(M * B * T, V, 2);
      const all = logitsOf(model, tokens, B, T);
      for (let m = 0; m < M; m++) {
        const single = GruFamily.fromMembers(CONFIG, [model.memberParams(m)]);
        expect(maxAbsDiff(memberSlice(all, m, B * T * V), logitsOf(single, tokens.subarray(m * B * T, (m + 1) * B * T), B, T))).toBeLessThan(1e-5);
        single.dispose();
      }
      expect(model.memberParams(M - 1)).toEqual(drawGruMemberInit(CONFIG, initRng(M - 1)));
      model.dispose();
    });
  }
});

describe('GruFamily sampling', () => {
  const P = 2;
  const M = 2;
  const rows = 64;

  it('the carried state equals re-reading the prefix: greedy samples match an argmax of logits()', () => {
    const model = family(M);
    const prompts = randomTokens(M * B * P, V, 3);
    const N = 6;
    const out = model.sample(prompts, B, P, { maxNew: N, temperature: 1, topK: 1, rng: rootStream(1) });
    const L = P + N;
    const full = logitsOf(model, out, B, L);
    for (let r = 0; r < M * B; r++)
      for (let t = P - 1; t < L - 1; t++) {
        const row = full.subarray((r * L + t) * V, (r * L + t + 1) * V);
        expect(out[r * L + t + 1]).toBe(row.indexOf(Math.max(...row)));
      }
    model.dispose();
  });

  it('never samples outside `allowed`; top-k respected; top-1 is greedy', () => {
    const model = rankedFamily(M);
    const allowed = new Uint8Array(V).fill(1);
    allowed[V - 1] = 0; // the argmax
    const prompts = randomTokens(M * rows * P, V, 4);
    const out = model.sample(prompts, rows, P, { maxNew: 6, temperature: 1, allowed, rng: rootStream(2) });
    const drawn = new Set<number>();
    for (let r = 0; r < M * rows; r++) for (let i = P; i < P + 6; i++) drawn.add(out[r * (P + 6) + i]!);
    expect(drawn.has(V - 1)).toBe(false);
    expect(drawn.has(V - 2)).toBe(true);
    const topK = model.sample(prompts, rows, P, { maxNew: 6, temperature: 2, topK: 3, allowed, rng: rootStream(3) });
    const drawnK = new Set<number>();
    for (let r = 0; r < M * rows; r++) for (let i = P; i < P + 6; i++) drawnK.add(topK[r * (P + 6) + i]!);
    expect([...drawnK].sort((a, b) => a - b)).toEqual([V - 4, V - 3, V - 2]);
    model.dispose();
  });

  it('after eos a row emits pad only; same seed ⇒ same samples, different seed ⇒ different', () => {
    const model = rankedFamily(M);
    const prompts = randomTokens(M * rows * P, V, 5);
    const L = P + 9;
    const run = (seed: number) => model.sample(prompts, rows, P, { maxNew: 9, temperature: 1, eos: V - 1, pad: 0, rng: rootStream(seed) });
    const out = run(4);
    let ended = 0;
    for (let r = 0; r < M * rows; r++) {
      const row = out.subarray(r * L + P, (r + 1) * L);
      const e = row.indexOf(V - 1);
      if (e < 0) continue;
      ended++;
      for (let i = e + 1; i < row.length; i++) expect(row[i]).toBe(0);
    }
    expect(ended).toBeGreaterThan(M * rows / 2);
    expect(Array.from(run(4))).toEqual(Array.from(out));
    expect(Array.from(run(5))).not.toEqual(Array.from(out));
    model.dispose();
  });
});

describe('GruFamily memory and training', () => {
  it('tensor count is flat across repeated sample() calls and training steps', () => {
    const model = family(2);
    const prompts = randomTokens(2 * B * 3, V, 6);
    const opts = () => ({ maxNew: 6, temperature: 1, topK: 5, eos: 2, rng: rootStream(5) });
    model.sample(prompts, B, 3, opts());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) model.sample(prompts, B, 3, opts());
    expect(model.sample(prompts, B, 3, { ...opts(), maxNew: 0 })).toEqual(prompts);
    expect(() => model.sample(prompts.subarray(1), B, 3, opts())).toThrow(/prompts hold/);
    expect(tf.memory().numTensors).toBe(before);
    const optimizer = tf.train.adam(1e-3);
    const tokens = tf.tensor3d(randomTokens(2 * B * 12, V, 7), [2, B, 12], 'int32');
    adamStep(model, optimizer, tokens);
    const afterBurnIn = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) adamStep(model, optimizer, tokens);
    expect(tf.memory().numTensors).toBe(afterBurnIn);
    tf.dispose([tokens]);
    optimizer.dispose();
    model.dispose();
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}: every variable gets a non-zero gradient, and Adam steps lower the loss`, async () => {
      await selectBackend(backend);
      try {
        expect(tf.getBackend()).toBe(backend);
        for (const M of [1, 2]) {
          const model = family(M);
          const row = Int32Array.from({ length: 12 }, (_, i) => (7 * i + 3) % V);
          const tokens = tf.tensor3d(Int32Array.from({ length: M * B * 12 }, (_, i) => row[i % 12]!), [M, B, 12], 'int32');
          const norms = tf.tidy(() => {
            const { grads } = tf.variableGrads(() => lmLoss(model, tokens), model.variables);
            return model.variables.map((v) => Array.from(tf.sum(tf.abs(tf.reshape(grads[v.name]!, [M, -1])), 1).dataSync()));
          });
          norms.forEach((perMember, i) => perMember.forEach((n) => expect(n, model.paramSpecs[i]!.name).toBeGreaterThan(0)));
          const optimizer = tf.train.adam(2e-2);
          const losses = Array.from({ length: 8 }, () => adamStep(model, optimizer, tokens));
          expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
          tokens.dispose();
          optimizer.dispose();
          model.dispose();
        }
      } finally {
        await selectBackend('cpu');
      }
    });
  }
});
