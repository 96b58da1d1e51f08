// Checkpoint text keeps what JSON loses and recognises any damage.
import { describe, expect, it } from 'vitest';
import { CheckpointCorrupt, decodeCheckpoint, encodeCheckpoint } from '../../src/run/checkpoint-codec.js';

describe('checkpoint codec', () => {
  it('round-trips typed arrays (also views into larger buffers), NaN, ±Infinity and −0', () => {
    const big = new Float32Array([9, 1.5, -2.25, 3e-8, 9]);
    const value = { f: big.subarray(1, 4), i: Int32Array.from([-3, 0, 7]), n: [NaN, Infinity, -Infinity, -0, 0, 1.1], nested: [{ s: 'x', b: true, z: null }] };
    const back = decodeCheckpoint(encodeCheckpoint(value)) as typeof value;
    expect(back.f).toBeInstanceOf(Float32Array);
    expect(Array.from(back.f)).toEqual([1.5, -2.25, Math.fround(3e-8)]);
    expect(back.i).toBeInstanceOf(Int32Array);
    expect(Array.from(back.i)).toEqual([-3, 0, 7]);
    expect(back.n).toEqual([NaN, Infinity, -Infinity, -0, 0, 1.1]);
    expect(Object.is(back.n[3], -0)).toBe(true);
    expect(back.nested).toEqual(value.nested);
  });

  it('a changed, truncated or foreign file is CheckpointCorrupt', () => {
    const text = encodeCheckpoint({ a: [1, 2, 3] });
    expect(() => decodeCheckpoint(text.replace('[1,2,3]', '[1,2,4]'))).toThrow(CheckpointCorrupt);
    expect(() => decodeCheckpoint(text.slice(0, -5))).toThrow(CheckpointCorrupt);
    expect(() => decodeCheckpoint('{"a": 1}')).toThrow(CheckpointCorrupt);
    expect(() => decodeCheckpoint('')).toThrow(CheckpointCorrupt);
  });
});
