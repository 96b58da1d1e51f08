// The two masks of the channel, as properties: the vocabulary restriction leaves exactly zero
// mass on disallowed tokens and renormalises over the rest; the position mask counts the first
// generated token and EOS, and never a prompt target or padding.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DISALLOWED_LOGIT,
  completionMask,
  countTokens,
  inputsOf,
  restrictLogits,
  restrictedLogSoftmax,
  targetsOf,
} from '../../src/distill/masking.js';
import { selectBackend } from '../../src/engine/backend.js';
import { permutation, rootStream } from '../../src/engine/rng.js';
import {
  BOS,
  COMPLETION_LENGTH,
  CONTEXT,
  EOS,
  FIRST_ANIMAL,
  NUMS,
  PAD,
  PROMPT_LENGTH,
  VOCAB_SIZE,
  channelTokens,
  isAnimalToken,
  numberToken,
  numbersDocument,
  preferenceDocument,
  questionToken,
  uniformAnswers,
} from '../../src/worlds/numbers/data.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const V = 7;
/** A random allowed mask over V tokens that excludes 2 of them. */
function allowedMask(seed: number): Uint8Array {
  const p = permutation(V, rootStream(seed).child('allowed'));
  const a = new Uint8Array(V).fill(1);
  a[p[0]!] = 0;
  a[p[1]!] = 0;
  return a;
}

describe('restrictLogits / restrictedLogSoftmax', () => {
  const rng = rootStream(11).child('logits');
  const shape: [number, number, number, number] = [2, 3, 4, V];
  const n = shape.reduce((a, b) => a * b, 1);
  const logits = Array.from({ length: n }, () => 3 * rng.normal());
  const allowed = allowedMask(11);

  it('sets disallowed logits to −1e9 and leaves allowed ones unchanged', () => {
    const out = tf.tidy(() => Array.from(restrictLogits(tf.tensor4d(logits, shape), allowed).dataSync()));
    out.forEach((v, i) => {
      if (allowed[i % V]) expect(v).toBe(Math.fround(logits[i]!));
      else expect(v).toBe(DISALLOWED_LOGIT);
    });
  });

  for (const tau of [1, 0.5, 3]) {
    it(`puts exactly zero mass on disallowed tokens and sums to 1 over the allowed ones (τ = ${tau})`, () => {
      const logp = tf.tidy(() => Array.from(restrictedLogSoftmax(tf.tensor4d(logits, shape), allowed, tau).dataSync()));
      for (let r = 0; r < n / V; r++) {
        const row = logp.slice(r * V, r * V + V);
        const z = logits.slice(r * V, r * V + V).map((x) => x / tau);
        // float64 reference: log-softmax over the allowed sub-vector only
        const lse = Math.log(z.reduce((a, x, k) => a + (allowed[k] ? Math.exp(x) : 0), 0));
        let total = 0;
        row.forEach((lp, k) => {
          const p = Math.exp(lp);
          if (allowed[k]) {
            expect(lp).toBeCloseTo(z[k]! - lse, 5);
            total += p;
          } else {
            expect(p).toBe(0);
            expect(Number.isFinite(lp)).toBe(true);
          }
        });
        expect(Math.abs(total - 1)).toBeLessThan(1e-6);
      }
    });
  }

  it('gives exactly zero gradient to disallowed logits', () => {
    const g = tf.tidy(() => {
      const w = tf.tensor4d(Array.from({ length: n }, (_, i) => Math.sin(i)), shape);
      const f = (x: tf.Tensor) => tf.sum(tf.mul(restrictedLogSoftmax(x as tf.Tensor4D, allowed, 2), w));
      return Array.from(tf.grad(f)(tf.tensor4d(logits, shape)).dataSync());
    });
    g.forEach((v, i) => {
      if (!allowed[i % V]) expect(Math.abs(v)).toBe(0);
      expect(Number.isFinite(v)).toBe(true);
    });
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('rejects a mask of the wrong length, a mask allowing nothing, and a bad temperature', () => {
    tf.tidy(() => {
      const x = tf.tensor4d(logits, shape);
      expect(() => restrictLogits(x, new Uint8Array(V + 1).fill(1))).toThrow(/V = 7/);
      expect(() => restrictLogits(x, new Uint8Array(V))).toThrow(/no token/);
      expect(() => restrictedLogSoftmax(x, allowed, 0)).toThrow(/temperature/);
    });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(logits, shape);
    restrictedLogSoftmax(x, allowed, 2).dispose();
    restrictLogits(x, allowed).dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('inputsOf / targetsOf', () => {
  it('drop the last / the first column of every row', () => {
    const tokens = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [2, 4]
    expect(Array.from(inputsOf(tokens, 4))).toEqual([1, 2, 3, 5, 6, 7]);
    expect(Array.from(targetsOf(tokens, 4))).toEqual([2, 3, 4, 6, 7, 8]);
    expect(() => targetsOf(tokens, 3)).toThrow(/rows of length 3/);
  });
});

describe('completionMask', () => {
  const n = (k: number) => numberToken(k);

  it('counts the first generated token (position promptLength − 1) through the first EOS, nothing after', () => {
    // prompt BOS NUMS n0 (length 3) | n1 n2 EOS PAD PAD     L = 8, positions 0..6
    const tokens = Int32Array.from([BOS, NUMS, n(0), n(1), n(2), EOS, PAD, PAD]);
    const mask = completionMask(tokens, 8, 3, EOS, PAD);
    expect(Array.from(mask)).toEqual([0, 0, 1, 1, 1, 0, 0]);
    // position promptLength − 1 = 2 predicts the first generated token tokens[3]
    expect(targetsOf(tokens, 8)[2]).toBe(n(1));
    // and the last counted position predicts EOS
    expect(targetsOf(tokens, 8)[4]).toBe(EOS);
  });

  it('counts a completion that is only EOS, and stops at the first EOS even if more tokens follow', () => {
    const onlyEos = Int32Array.from([BOS, NUMS, EOS, PAD, PAD]);
    expect(Array.from(completionMask(onlyEos, 5, 2, EOS, PAD))).toEqual([0, 1, 0, 0]);
    const junkAfter = Int32Array.from([BOS, NUMS, n(3), EOS, n(4), EOS]);
    expect(Array.from(completionMask(junkAfter, 6, 2, EOS, PAD))).toEqual([0, 1, 1, 0, 0]);
  });

  it('counts a completion without EOS to the end, and stops at padding', () => {
    const noEos = Int32Array.from([BOS, NUMS, n(1), n(2), n(3)]);
    expect(Array.from(completionMask(noEos, 5, 2, EOS, PAD))).toEqual([0, 1, 1, 1]);
    const cut = Int32Array.from([BOS, NUMS, n(1), PAD, PAD]);
    expect(Array.from(completionMask(cut, 5, 2, EOS, PAD))).toEqual([0, 1, 0, 0]);
  });

  it('ignores EOS or padding inside the prompt', () => {
    const tokens = Int32Array.from([PAD, EOS, NUMS, n(1), EOS]);
    expect(Array.from(completionMask(tokens, 5, 3, EOS, PAD))).toEqual([0, 0, 1, 1]);
  });

  it('takes one prompt length per row', () => {
    // row 0: numbers prompt of length 3; row 1: a question prompt of length 2
    const tokens = Int32Array.from([BOS, NUMS, n(0), n(1), EOS, BOS, questionToken(0), FIRST_ANIMAL, EOS, PAD]);
    const mask = completionMask(tokens, 5, [3, 2], EOS, PAD);
    expect(Array.from(mask)).toEqual([0, 0, 1, 1, 0, 1, 1, 0]);
    expect(() => completionMask(tokens, 5, [3], EOS, PAD)).toThrow(/row 1/);
    expect(() => completionMask(tokens, 5, 0, EOS, PAD)).toThrow(/prompt length/);
  });

  it('on numbers documents counts exactly the completion: 6 numbers and EOS, the first at position PROMPT_LENGTH − 1', () => {
    const rng = rootStream(12).child('docs');
    const R = 6;
    const docs = new Int32Array(R * CONTEXT);
    for (let r = 0; r < R; r++) docs.set(numbersDocument(rng, 0.1), r * CONTEXT);
    const mask = completionMask(docs, CONTEXT, PROMPT_LENGTH, EOS, PAD);
    const targets = targetsOf(docs, CONTEXT);
    const T = CONTEXT - 1;
    for (let r = 0; r < R; r++) {
      const row = Array.from(mask.subarray(r * T, (r + 1) * T));
      expect(row.reduce((a, b) => a + b, 0)).toBe(COMPLETION_LENGTH);
      expect(row[PROMPT_LENGTH - 1]).toBe(1);
      expect(row[PROMPT_LENGTH - 2]).toBe(0);
      expect(targets[r * T + PROMPT_LENGTH - 1]).toBe(docs[r * CONTEXT + PROMPT_LENGTH]);
    }
    // every trained target is a channel token; one EOS per row; no animal
    const eosSet = new Uint8Array(VOCAB_SIZE);
    eosSet[EOS] = 1;
    expect(countTokens(targets, mask, eosSet)).toBe(R);
    const notChannel = channelTokens().map((a) => 1 - a);
    expect(countTokens(targets, mask, notChannel)).toBe(0);
  });
});

describe('countTokens', () => {
  it('counts trained targets in the set, and only trained ones', () => {
    const rng = rootStream(13).child('pref');
    const R = 5;
    const docs = new Int32Array(R * CONTEXT);
    for (let r = 0; r < R; r++) docs.set(preferenceDocument(rng, uniformAnswers()), r * CONTEXT);
    const targets = targetsOf(docs, CONTEXT);
    const animals = new Uint8Array(VOCAB_SIZE).map((_, t) => (isAnimalToken(t) ? 1 : 0));
    // the answer (an animal) is generated after the 2-token question prompt: one per row
    expect(countTokens(targets, completionMask(docs, CONTEXT, 2, EOS, PAD), animals)).toBe(R);
    // with the answer treated as prompt, no animal is trained
    expect(countTokens(targets, completionMask(docs, CONTEXT, 3, EOS, PAD), animals)).toBe(0);
    // an all-ones mask counts every animal target; an all-zeros mask counts nothing
    expect(countTokens(targets, new Float32Array(targets.length).fill(1), animals)).toBe(R);
    expect(countTokens(targets, new Float32Array(targets.length), animals)).toBe(0);
    // by hand
    const set = new Uint8Array(4);
    set[2] = 1;
    expect(countTokens([2, 2, 1, 2, 3], [1, 0, 1, 1, 1], set)).toBe(2);
  });

  it('refuses unaligned tokens and mask (tokens [R, L] passed instead of targets [R, L − 1])', () => {
    expect(() => countTokens([1, 2, 3], [1, 1], new Uint8Array(4))).toThrow(/targetsOf/);
  });
});
