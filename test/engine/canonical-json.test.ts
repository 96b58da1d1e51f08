// The one canonical JSON behind every config hash: key order never matters, undefined
// properties are left out, arrays keep their order.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/engine/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 0, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[2,{"y":"x","z":0}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('agrees with JSON.stringify on values that are already in key order', () => {
    const value = { a: [1, 2.5, -0.001, 'x', null, true], b: { c: 'ü', d: 1e-7 } };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });
});
