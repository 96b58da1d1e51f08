// Minibatch bookkeeping on the host: epoch permutations and row gathers.
import { permutation, type RandomStream } from './rng.js';

/** Steps in `epochs` passes over `n` examples at `batchSize`, keeping the last partial batch. */
export function stepsFor(n: number, batchSize: number, epochs: number): number {
  return Math.ceil(n / batchSize) * epochs;
}

/**
 * Index batches for `epochs` passes over `n` examples, reshuffled every epoch from `rng`
 * (the last batch of an epoch may be smaller, as PyTorch's DataLoader does by default).
 */
export function* epochBatches(n: number, batchSize: number, epochs: number, rng: RandomStream): Generator<Int32Array> {
  for (let e = 0; e < epochs; e++) {
    const order = permutation(n, rng);
    for (let start = 0; start < n; start += batchSize) yield order.subarray(start, Math.min(n, start + batchSize));
  }
}

/** Rows `indices` of a row-major [n, rowLength] array, as a new [indices.length, rowLength] array. */
export function gatherRows(data: Float32Array, rowLength: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * rowLength);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    out.set(data.subarray(r * rowLength, (r + 1) * rowLength), i * rowLength);
  }
  return out;
}

/** Arrays laid end to end: M members' [B, …] rows → [M, B, …]. */
export function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The same rows for each of M members, member-major: [n, …] → [M, n, …]. A family trains its
 * members side by side on one tensor, so rows every member shares are laid out M times.
 */
export function tileMembers<T extends Int32Array | Float32Array>(rows: T, members: number): T {
  const out = new (rows.constructor as new (length: number) => T)(members * rows.length);
  for (let m = 0; m < members; m++) out.set(rows, m * rows.length);
  return out;
}
