// LoraGpt on the wasm and cpu backends: it starts exactly at its base (logits bit for bit), only
// its adapters are trainable and get gradients, training leaves every byte of the base as it was
// while the adapters move, the merged update of every adapted matrix has rank ≤ r, the merged
// parameters compute what the student computes, and the tensor count stays flat over steps.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { GptFamily } from '../../src/models/gpt.js';
import { drawGptMemberInit, type GptConfig } from '../../src/models/gpt-config.js';
import { LoraGpt, LORA_MODULES, type LoraSettings } from '../../src/models/lora.js';
import { adamStep, lmLoss, maxAbsDiff, randomTokens, take } from '../support/lm-helpers.js';

const CONFIG: GptConfig = { vocabSize: 37, context: 12, layers: 2, dModel: 16, heads: 2 };
const V = CONFIG.vocabSize;
const B = 4;
const T = 10;
const initRng = (m: number) => rootStream(7).child('init').child(String(m));
const loraRng = (m: number) => rootStream(7).child('lora').child(String(m));
const ALL: LoraSettings = { rank: 2, alpha: 4, modules: LORA_MODULES };

const baseParams = (M: number) => Array.from({ length: M }, (_, m) => drawGptMemberInit(CONFIG, initRng(m)));
const lora = (M: number, settings: LoraSettings = ALL) => new LoraGpt(GptFamily.fromMembers(CONFIG, baseParams(M), false), settings, loraRng);
const tokensOf = (M: number, seed = 3) => tf.tensor3d(randomTokens(M * B * T, V, seed), [M, B, T], 'int32');
const bytes = (params: Float32Array[][]) => params.map((p) => p.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

/** Numerical rank of a [rows, cols] row-major matrix: Gaussian elimination with full pivoting, in float64. */
function rankOf(a: Float32Array, rows: number, cols: number, relTol = 1e-4): number {
  const m = Array.from({ length: rows }, (_, r) => Array.from(a.subarray(r * cols, (r + 1) * cols), Number));
  const scale = Math.max(...m.flat().map(Math.abs));
  if (scale === 0) return 0;
  let rank = 0;
  const usedCols = new Set<number>();
  const usedRows = new Set<number>();
  for (;;) {
    let best = 0;
    let br = -1;
    let bc = -1;
    for (let r = 0; r < rows; r++) if (!usedRows.has(r)) for (let c = 0; c < cols; c++) if (!usedCols.has(c) && Math.abs(m[r]![c]!) > best) [best, br, bc] = [Math.abs(m[r]![c]!), r, c];
    if (best <= relTol * scale) return rank;
    usedRows.add(br);
    usedCols.add(bc);
    rank++;
    for (let r = 0; r < rows; r++) {
      if (usedRows.has(r)) continue;
      const f = m[r]![bc]! / m[br]![bc]!;
      for (let c = 0; c < cols; c++) m[r]![c]! -= f * m[br]![c]!;
    }
  }
}

/** The [rows, cols] block of columns c0..c0+n−1 of a row-major [rows, cols] matrix. */
function columns(a: Float32Array, rows: number, cols: number, c0: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * cols + c0, r * cols + c0 + n), r * n);
  return out;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`LoraGpt on ${backend}`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });
    afterAll(async () => {
      await selectBackend('cpu');
    });

    for (const M of [1, 3]) {
      it(`starts exactly at its base: the same logits bit for bit (M=${M})`, () => {
        const base = GptFamily.fromMembers(CONFIG, baseParams(M));
        const student = lora(M);
        try {
          const want = take(tf.tidy(() => base.logits(tokensOf(M))));
          const got = take(tf.tidy(() => student.logits(tokensOf(M))));
          expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
          // and so does its sampling (the KV-cache path reads the adapted weights too)
          const prompts = randomTokens(M * B * 3, V, 9);
          const opts = { maxNew: 5, temperature: 1 };
          expect(student.sample(prompts, B, 3, { ...opts, rng: rootStream(2) })).toEqual(base.sample(prompts, B, 3, { ...opts, rng: rootStream(2) }));
        } finally {
          base.dispose();
          student.dispose();
        }
      });
    }

    it('trains only its adapters: A [M, d_in, r] and B [M, r, d_out] per adapted matrix, the base frozen', () => {
      const M = 2;
      const student = lora(M, { rank: 3, alpha: 3, modules: ['q', 'v', 'mlp-out'] });
      try {
        expect(student.paramSpecs.map((s) => `${s.name}[${s.shape.join(',')}]`)).toEqual(
          [0, 1].flatMap((l) => [`h${l}.lora.q.A[16,3]`, `h${l}.lora.q.B[3,16]`, `h${l}.lora.v.A[16,3]`, `h${l}.lora.v.B[3,16]`, `h${l}.lora.mlp-out.A[64,3]`, `h${l}.lora.mlp-out.B[3,16]`]),
        );
        expect(student.variables.map((v) => v.shape)).toEqual(student.paramSpecs.map((s) => [M, ...s.shape]));
        expect(student.variables.every((v) => v.trainable)).toBe(true);
        expect(student.base.variables.every((v) => !v.trainable)).toBe(true);
        // B starts at 0, A does not; member m's A is drawn from its own stream.
        const params = student.memberParams(1);
        student.paramSpecs.forEach((s, i) => expect(params[i]!.some((x) => x !== 0)).toBe(s.name.endsWith('.A')));
        // Gradients over every trainable variable there is: only the adapters get one.
        const tokens = tokensOf(M);
        const adam = tf.train.adam(0.01);
        adamStep(student, adam, tokens); // moves B off zero, so A gets a gradient too
        const { value, grads } = tf.variableGrads(() => lmLoss(student, tokens));
        const adapterNames = student.variables.map((v) => v.name).sort();
        expect(Object.keys(grads).sort()).toEqual(adapterNames);
        for (const g of Object.values(grads)) expect(take(tf.abs(g).max())[0]).toBeGreaterThan(0);
        value.dispose();
        tf.dispose(grads);
        adam.dispose();
        tokens.dispose();
      } finally {
        student.dispose();
      }
    });

    it('keeps every byte of the base through training while the adapters move; the update has rank ≤ r; tensors stay flat', () => {
      const M = 2;
      const r = 2;
      const student = lora(M, { rank: r, alpha: 4, modules: LORA_MODULES });
      const tokens = tokensOf(M, 5);
      const adam = tf.train.adam(0.02);
      try {
        const baseBefore = bytes([0, 1].map((m) => student.base.memberParams(m)));
        const adaptersBefore = [0, 1].map((m) => student.memberParams(m));
        const lossBefore = adamStep(student, adam, tokens);
        const tensors = tf.memory().numTensors;
        let loss = lossBefore;
        for (let s = 0; s < 12; s++) loss = adamStep(student, adam, tokens);
        expect(tf.memory().numTensors).toBe(tensors);
        expect(loss).toBeLessThan(lossBefore);
        expect(bytes([0, 1].map((m) => student.base.memberParams(m)))).toEqual(baseBefore);
        [0, 1].forEach((m) => student.memberParams(m).forEach((a, i) => expect(maxAbsDiff(a, adaptersBefore[m]![i]!)).toBeGreaterThan(0)));

        // Merged weights: W' − W per adapted matrix has rank ≤ r (here exactly r: A·B is generic).
        const d = CONFIG.dModel;
        const specs = student.base.paramSpecs;
        for (const m of [0, 1]) {
          const base = student.base.memberParams(m);
          const merged = student.mergedParams(m);
          const delta = (name: string) => {
            const i = specs.findIndex((s) => s.name === name);
            return { d: merged[i]!.map((x, j) => x - base[i]![j]!), shape: specs[i]!.shape as [number, number] };
          };
          for (let l = 0; l < 2; l++) {
            const qkv = delta(`h${l}.attn.wqkv`);
            for (const third of [0, 1, 2]) expect(rankOf(columns(qkv.d, d, 3 * d, third * d, d), d, d)).toBe(r);
            expect(rankOf(qkv.d, d, 3 * d)).toBe(3 * r); // three independent rank-r updates side by side
            for (const name of [`h${l}.attn.wo`, `h${l}.mlp.w1`, `h${l}.mlp.w2`]) {
              const { d: dw, shape } = delta(name);
              expect(rankOf(dw, ...shape)).toBe(r);
            }
          }
          // Everything else is the base's, bit for bit.
          specs.forEach((s, i) => {
            if (!/attn\.wqkv|attn\.wo|mlp\.w1|mlp\.w2/.test(s.name)) expect(Buffer.from(merged[i]!.buffer).equals(Buffer.from(base[i]!.buffer))).toBe(true);
          });
        }
        // The merged parameters compute what the student computes (up to float rounding).
        const plain = GptFamily.fromMembers(CONFIG, [0, 1].map((m) => student.mergedParams(m)));
        const want = take(tf.tidy(() => student.logits(tokens)));
        const got = take(tf.tidy(() => plain.logits(tokens)));
        plain.dispose();
        expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
      } finally {
        adam.dispose();
        tokens.dispose();
        student.dispose();
      }
    });
  });
}

describe('LoraGpt settings', () => {
  it('refuses a trainable base, a rank above the width, and unknown or repeated modules', () => {
    const trainable = GptFamily.fromMembers(CONFIG, baseParams(1));
    expect(() => new LoraGpt(trainable, ALL, loraRng)).toThrow('lora: the base family must be built non-trainable (its weights stay frozen)');
    trainable.dispose();
    const frozen = () => GptFamily.fromMembers(CONFIG, baseParams(1), false);
    const cases: [LoraSettings, string][] = [
      [{ ...ALL, rank: 17 }, 'lora: rank 17 exceeds the model width 16; a rank above it adds nothing'],
      [{ ...ALL, rank: 0 }, 'lora: rank must be an integer ≥ 1, got 0'],
      [{ ...ALL, modules: ['q', 'q'] }, 'lora: modules must be distinct names among q, k, v, o, mlp-in, mlp-out'],
    ];
    for (const [settings, message] of cases) {
      const f = frozen();
      expect(() => new LoraGpt(f, settings, loraRng)).toThrow(message);
      f.dispose();
    }
  });

  it('scales the update by alpha / rank', () => {
    // Same A and B, alpha doubled: the merged update doubles.
    const a = lora(1, { rank: 2, alpha: 2, modules: ['o'] });
    const b = lora(1, { rank: 2, alpha: 4, modules: ['o'] });
    try {
      for (const s of [a, b]) for (const v of s.variables) tf.tidy(() => v.assign(tf.onesLike(v)));
      const o = a.base.paramSpecs.findIndex((s) => s.name === 'h0.attn.wo');
      const base = a.base.memberParams(0)[o]!;
      const da = a.mergedParams(0)[o]!.map((x, j) => x - base[j]!);
      const db = b.mergedParams(0)[o]!.map((x, j) => x - base[j]!);
      // A = B = 1: (α/r)·A·B = (α/r)·r = α in every entry
      expect(Math.max(...da.map((x) => Math.abs(x - 2)))).toBeLessThan(1e-5);
      expect(Math.max(...db.map((x) => Math.abs(x - 4)))).toBeLessThan(1e-5);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
