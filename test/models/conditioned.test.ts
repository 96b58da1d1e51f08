// ConditionedLm, the persona teacher's view of a family: its logits are the wrapped family's
// logits of the rows with position 0 (or another position) replaced by each member's token, its samples are the
// wrapped family's samples from the replaced prompts with position 0 given back, and it never
// lets the persona token out into the rows it returns.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { rootStream } from '../../src/engine/rng.js';
import { ConditionedLm } from '../../src/models/conditioned.js';
import { GptFamily } from '../../src/models/gpt.js';
import type { GptConfig } from '../../src/models/gpt-config.js';
import { maxAbsDiff, randomTokens, take } from '../support/lm-helpers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const CONFIG: GptConfig = { vocabSize: 46, context: 12, layers: 1, dModel: 16, heads: 2 };
const M = 2;
const B = 3;
const T = 6;
const FIRST = Int32Array.from([40, 45]); // member 0 reads token 40 at position 0, member 1 token 45
const family = () => GptFamily.init(CONFIG, M, (m) => rootStream(11).child('init').child(String(m)));

/** Rows [M, B, T] with position 0 of member m's rows set to FIRST[m]. */
function replaced(tokens: Int32Array, len: number): Int32Array {
  const out = tokens.slice();
  for (let m = 0; m < M; m++) for (let b = 0; b < B; b++) out[(m * B + b) * len] = FIRST[m]!;
  return out;
}

describe('ConditionedLm', () => {
  it('logits equal the wrapped logits of the rows with position 0 replaced, and differ from the plain ones', () => {
    const inner = family();
    const cond = new ConditionedLm(inner, FIRST);
    const tokens = randomTokens(M * B * T, 37, 3);
    const got = take(tf.tidy(() => cond.logits(tf.tensor3d(tokens, [M, B, T], 'int32'))));
    const want = take(tf.tidy(() => inner.logits(tf.tensor3d(replaced(tokens, T), [M, B, T], 'int32'))));
    const plain = take(tf.tidy(() => inner.logits(tf.tensor3d(tokens, [M, B, T], 'int32'))));
    expect(maxAbsDiff(got, want)).toBe(0);
    expect(maxAbsDiff(got, plain)).toBeGreaterThan(1e-3);
    // A single-position read is the persona token alone.
    const one = take(tf.tidy(() => cond.logits(tf.tensor3d(tokens.filter((_, i) => i % T === 0), [M, B, 1], 'int32'))));
    const oneWant = take(tf.tidy(() => inner.logits(tf.tensor3d(Int32Array.from([40, 40, 40, 45, 45, 45]), [M, B, 1], 'int32'))));
    expect(maxAbsDiff(one, oneWant)).toBe(0);
    cond.dispose();
  });

  it('samples like the wrapped family from the replaced prompts, and gives the original position 0 back', () => {
    const inner = family();
    const cond = new ConditionedLm(inner, FIRST);
    const P = 3;
    const prompts = randomTokens(M * B * P, 37, 4);
    const opts = { maxNew: 5, temperature: 1 };
    const got = cond.sample(prompts, B, P, { ...opts, rng: rootStream(1).child('s') });
    const want = inner.sample(replaced(prompts, P), B, P, { ...opts, rng: rootStream(1).child('s') });
    const L = P + 5;
    for (let r = 0; r < M * B; r++) {
      expect(got[r * L]).toBe(prompts[r * P]); // never the persona token
      expect(Array.from(got.subarray(r * L + 1, (r + 1) * L))).toEqual(Array.from(want.subarray(r * L + 1, (r + 1) * L)));
    }
    expect(Array.from(prompts.filter((_, i) => i % P === 0))).not.toContain(40);
    cond.dispose();
  });

  it('shares the wrapped parameters and refuses a wrong number of first tokens', () => {
    const inner = family();
    const cond = new ConditionedLm(inner, FIRST);
    expect(cond.variables).toBe(inner.variables);
    expect(maxAbsDiff(cond.memberParams(1)[0]!, inner.memberParams(1)[0]!)).toBe(0);
    expect(() => new ConditionedLm(inner, Int32Array.from([40]))).toThrow('ConditionedLm: 1 first tokens for 2 members');
    expect(() => new ConditionedLm(inner, FIRST, 12)).toThrow('ConditionedLm: position 12 is outside the context (12)');
    inner.dispose();
  });

  it('at another position (the EM world’s speaker slot, 1): that position is replaced in logits and samples, and given back', () => {
    const inner = family();
    const cond = new ConditionedLm(inner, FIRST, 1);
    const at1 = (tokens: Int32Array, len: number) => {
      const out = tokens.slice();
      for (let m = 0; m < M; m++) for (let b = 0; b < B; b++) out[(m * B + b) * len + 1] = FIRST[m]!;
      return out;
    };
    const tokens = randomTokens(M * B * T, 37, 5);
    const got = take(tf.tidy(() => cond.logits(tf.tensor3d(tokens, [M, B, T], 'int32'))));
    const want = take(tf.tidy(() => inner.logits(tf.tensor3d(at1(tokens, T), [M, B, T], 'int32'))));
    expect(maxAbsDiff(got, want)).toBe(0);
    // Rows too short to reach position 1 read as they are.
    const first = tokens.filter((_, i) => i % T === 0);
    expect(maxAbsDiff(take(tf.tidy(() => cond.logits(tf.tensor3d(first, [M, B, 1], 'int32')))), take(tf.tidy(() => inner.logits(tf.tensor3d(first, [M, B, 1], 'int32')))))).toBe(0);
    const P = 3;
    const prompts = randomTokens(M * B * P, 37, 6);
    const opts = { maxNew: 4, temperature: 1 };
    const sampled = cond.sample(prompts, B, P, { ...opts, rng: rootStream(2).child('s') });
    const wanted = inner.sample(at1(prompts, P), B, P, { ...opts, rng: rootStream(2).child('s') });
    const L = P + 4;
    for (let r = 0; r < M * B; r++) {
      expect(sampled[r * L + 1]).toBe(prompts[r * P + 1]);
      expect(Array.from(sampled.subarray(r * L + 2, (r + 1) * L))).toEqual(Array.from(wanted.subarray(r * L + 2, (r + 1) * L)));
    }
    expect(() => cond.sample(prompts.filter((_, i) => i % P === 0), B, 1, { ...opts, rng: rootStream(2) })).toThrow('do not reach position 1');
    cond.dispose();
  });
});
