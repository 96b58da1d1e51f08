// The browser-safe SHA-256 equals node:crypto's on every length around the block and padding
// boundaries, on the FIPS test vectors, and on a megabyte of float32 weights.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { sha256Hex, sha256OfText } from '../../src/engine/sha256.js';

const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex', () => {
  test('FIPS 180-4 vectors', () => {
    expect(sha256OfText('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256OfText('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256OfText('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  test('equals node:crypto for every length 0..200 (all padding cases) and non-ASCII text', () => {
    const bytes = Uint8Array.from({ length: 200 }, (_, i) => (i * 131 + 7) & 255);
    for (let n = 0; n <= 200; n++) expect(sha256Hex(bytes.subarray(0, n))).toBe(reference(bytes.subarray(0, n)));
    const text = 'p(owl) ≥ 0.5 — 🦉';
    expect(sha256OfText(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  test('equals node:crypto on a megabyte of float32 values, and one flipped byte changes it', () => {
    const values = Float32Array.from({ length: 1 << 18 }, (_, i) => Math.sin(i) * 0.02);
    const bytes = new Uint8Array(values.buffer);
    const hash = sha256Hex(bytes);
    expect(hash).toBe(reference(bytes));
    bytes[123_457]! ^= 0x01;
    expect(sha256Hex(bytes)).not.toBe(hash);
    expect(sha256Hex(bytes)).toBe(reference(bytes));
  });
});
