// Seeded streams: reproducible by name, independent across names, and with the right moments.
import { describe, expect, it } from 'vitest';
import { permutation, rootStream, type RandomStream } from '../../src/engine/rng.js';

const draw = (s: RandomStream, n: number) => Array.from({ length: n }, () => s.next());

describe('rootStream / child', () => {
  it('is reproducible: the same seed and child name give the same numbers', () => {
    expect(draw(rootStream(7).child('a'), 100)).toEqual(draw(rootStream(7).child('a'), 100));
    expect(draw(rootStream(7).child('a').child('b'), 50)).toEqual(draw(rootStream(7).child('a').child('b'), 50));
  });

  it('gives different numbers for different child names, seeds and depths', () => {
    const a = draw(rootStream(7).child('a'), 20);
    expect(draw(rootStream(7).child('b'), 20)).not.toEqual(a);
    expect(draw(rootStream(8).child('a'), 20)).not.toEqual(a);
    expect(draw(rootStream(7).child('a').child('a'), 20)).not.toEqual(a);
    expect(draw(rootStream(7), 20)).not.toEqual(a);
  });

  it('a child does not depend on how much of the parent was consumed', () => {
    const parent = rootStream(3);
    draw(parent, 1000);
    expect(draw(parent.child('x'), 20)).toEqual(draw(rootStream(3).child('x'), 20));
  });

  it('next() is in [0, 1), int(n) in [0, n), seed() a non-negative 31-bit integer', () => {
    const s = rootStream(11).child('range');
    for (let i = 0; i < 2000; i++) {
      const u = s.next();
      expect(u >= 0 && u < 1).toBe(true);
      const k = s.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      const sd = s.seed();
      expect(Number.isInteger(sd) && sd >= 0 && sd < 2 ** 31).toBe(true);
    }
  });

  it('int(n) hits every value of a small range', () => {
    const s = rootStream(12).child('int');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(s.int(5));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('normal() has mean ≈ 0 and variance ≈ 1', () => {
    const n = 40_000;
    const s = rootStream(5).child('normal');
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = s.normal();
      sum += z;
      sumSq += z * z;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // 5 standard errors: SE(mean) = 1/√n, SE(variance) ≈ √(2/n).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

describe('permutation', () => {
  it('is a permutation of 0..n-1, reproducible from the stream, and not the identity', () => {
    const n = 1000;
    const p = permutation(n, rootStream(1).child('perm'));
    expect(p.length).toBe(n);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(permutation(n, rootStream(1).child('perm')))).toEqual(Array.from(p));
    const fixed = Array.from(p).filter((v, i) => v === i).length;
    expect(fixed).toBeLessThan(10); // a uniform permutation has ~1 fixed point
    expect(Array.from(permutation(n, rootStream(2).child('perm')))).not.toEqual(Array.from(p));
  });

  it('handles n = 0 and n = 1', () => {
    expect(Array.from(permutation(0, rootStream(1)))).toEqual([]);
    expect(Array.from(permutation(1, rootStream(1)))).toEqual([0]);
  });
});
