// drawTokens, the host-side token draw shared by every language-model family: allowed tokens
// only, top-k among them, renormalised, one rng draw per row, frequencies as the probabilities.
import { describe, expect, it } from 'vitest';
import { rootStream } from '../../src/engine/rng.js';
import { drawTokens, maskBias } from '../../src/models/sampling.js';

const V = 5;
const row = [0.1, 0.4, 0.2, 0.25, 0.05];
const rows = (n: number, p = row) => Float32Array.from({ length: n * V }, (_, i) => p[i % V]!);

function frequencies(tokens: Int32Array): number[] {
  const f = new Array<number>(V).fill(0);
  for (const t of tokens) f[t]!++;
  return f.map((c) => c / tokens.length);
}

describe('drawTokens', () => {
  it('draws with the given probabilities', () => {
    const f = frequencies(drawTokens(rows(20000), V, undefined, 0, rootStream(1)));
    f.forEach((x, v) => expect(Math.abs(x - row[v]!)).toBeLessThan(0.015));
  });

  it('gives disallowed tokens probability exactly 0 and renormalises the rest', () => {
    const allowed = Uint8Array.from([1, 0, 1, 1, 0]); // excludes the argmax (1)
    const f = frequencies(drawTokens(rows(20000), V, allowed, 0, rootStream(2)));
    expect(f[1]).toBe(0);
    expect(f[4]).toBe(0);
    const kept = 0.1 + 0.2 + 0.25;
    expect(Math.abs(f[0]! - 0.1 / kept)).toBeLessThan(0.015);
    expect(Math.abs(f[3]! - 0.25 / kept)).toBeLessThan(0.015);
  });

  it('keeps the k most probable allowed tokens; k = 1 is argmax; ties go to the lower id', () => {
    const f = frequencies(drawTokens(rows(20000), V, undefined, 2, rootStream(3)));
    expect(f[0]).toBe(0);
    expect(f[2]).toBe(0);
    expect(f[4]).toBe(0);
    expect(Math.abs(f[1]! - 0.4 / 0.65)).toBeLessThan(0.015);
    const allowed = Uint8Array.from([1, 0, 1, 1, 1]);
    expect(new Set(drawTokens(rows(500), V, allowed, 1, rootStream(4)))).toEqual(new Set([3]));
    expect(new Set(drawTokens(rows(500, [0.3, 0.3, 0.3, 0.1, 0]), V, undefined, 1, rootStream(5)))).toEqual(new Set([0]));
  });

  it('consumes exactly one draw per row, so equal seeds give equal tokens', () => {
    const a = rootStream(6);
    drawTokens(rows(7), V, undefined, 3, a);
    const b = rootStream(6);
    for (let i = 0; i < 7; i++) b.next();
    expect(a.next()).toBe(b.next());
    expect(Array.from(drawTokens(rows(50), V, undefined, 0, rootStream(7)))).toEqual(Array.from(drawTokens(rows(50), V, undefined, 0, rootStream(7))));
    expect(Array.from(drawTokens(rows(50), V, undefined, 0, rootStream(7)))).not.toEqual(Array.from(drawTokens(rows(50), V, undefined, 0, rootStream(8))));
  });

  it('accepts unnormalised rows and rejects a row with no allowed mass', () => {
    expect(drawTokens(Float32Array.from([0, 0, 3, 0, 0]), V, undefined, 0, rootStream(9))[0]).toBe(2);
    expect(() => drawTokens(Float32Array.from([0, 1, 0, 0, 0]), V, Uint8Array.from([1, 0, 1, 1, 1]), 0, rootStream(9))).toThrow(/row 0 has no allowed token/);
    expect(() => drawTokens(Float32Array.from([NaN, 1, 0, 0, 0]), V, undefined, 0, rootStream(9))).toThrow(/NaN/);
  });

  it('maskBias: null when everything is allowed, −1e30 on disallowed tokens', () => {
    expect(maskBias(undefined)).toBeNull();
    expect(maskBias(new Uint8Array(3).fill(1))).toBeNull();
    expect(Array.from(maskBias(Uint8Array.from([1, 0, 1]))!)).toEqual([0, -1e30, 0].map(Math.fround));
  });
});
