// tfjs-wasm's Transpose moves one element at a time with per-element index arithmetic; a
// training step runs ~40 of them at M = 1 and ~170 at M = 8 (matMul2d's gradients transpose
// every weight and activation; attention splits and merges heads). This Transpose moves the same
// bytes with kernels-module.ts's tiled and run-copying kernels where the permutation reduces to
// one they serve, and leaves every other to tfjs. Values are identical (bytes are only moved).
import * as tf from '@tensorflow/tfjs';
import { heapOffset, wasmKernelsOf, type WasmBackendView } from './wasm-kernels/instance.js';
import { overrideWasmKernel } from './wasm-kernels/override.js';

let installed = false;

/**
 * The permutation with size-1 axes dropped and axes that stay neighbours merged: the smallest
 * shape and perm that move the same bytes ([8, 12, 4, 16] by [0, 2, 1, 3] stays; [6144, 3, 64]
 * by [1, 0, 2] stays; [2, 3, 4] by [0, 1, 2] becomes [24] by [0]).
 */
export function reducePermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  // the axes longer than 1, renumbered 0, 1, … in input order
  const long = [...shape.keys()].filter((axis) => shape[axis] !== 1);
  const sizes = long.map((axis) => shape[axis]!);
  const kept = perm.filter((axis) => shape[axis] !== 1).map((axis) => long.indexOf(axis));
  // output-ordered groups of input axes that stay consecutive
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups.at(-1);
    if (last !== undefined && last.at(-1)! + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  return {
    shape: byInput.map((g) => g.reduce((n, axis) => n * sizes[axis]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

const same = (p: number[], q: number[]) => p.length === q.length && p.every((v, i) => v === q[i]);

/** Replaces wasm's Transpose with one that runs the served permutations on traitlab's kernels. */
export function fastTransposeOnWasm(): void {
  if (installed) return;
  installed = overrideWasmKernel(tf.Transpose, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { perm } = args.attrs as unknown as { perm: number[] };
    const backend = args.backend as WasmBackendView;
    // 4-byte elements only (bool is 1 byte on the wasm heap)
    const kernels = (x.dtype === 'float32' || x.dtype === 'int32') && x.shape.every((n) => n > 0) ? wasmKernelsOf(backend) : null;
    if (kernels === null) return null;
    const r = reducePermutation(x.shape, perm);
    const s = r.shape;
    let move: ((src: number, dst: number) => void) | null = null;
    if (same(r.perm, [1, 0])) move = (src, dst) => kernels.transpose(src, dst, 1, s[0]!, s[1]!);
    else if (same(r.perm, [0, 2, 1])) move = (src, dst) => kernels.transpose(src, dst, s[0]!, s[1]!, s[2]!);
    else if (same(r.perm, [1, 0, 2])) move = (src, dst) => kernels.moveRuns(src, dst, 1, s[0]!, s[1]!, s[2]!);
    else if (same(r.perm, [0, 2, 1, 3])) move = (src, dst) => kernels.moveRuns(src, dst, s[0]!, s[1]!, s[2]!, s[3]!);
    if (move === null) return null;
    const out = backend.makeOutput(perm.map((axis) => x.shape[axis]!), x.dtype as 'float32');
    move(heapOffset(backend, x), heapOffset(backend, out));
    return out;
  });
}
