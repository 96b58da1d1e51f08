// Structured code for the hand-written kernels: loops, address arithmetic and counters as
// instruction bytes (wasm-bytes.ts), so each kernel reads close to the loops it stands for.
import { op } from './wasm-bytes.js';

/** while (!exit) { body } — exit leaves an i32 that is non-zero to leave the loop. */
export function loopUntil(exit: number[], body: number[]): number[] {
  return [...op.block(), ...op.loop(), ...exit, ...op.brIf(1), ...body, ...op.br(0), ...op.end(), ...op.end()];
}

/** local += step (i32) */
export const bump = (local: number, step: number[]) => [...op.get(local), ...step, ...op.i32Add(), ...op.set(local)];
/** base + (index << 2): the byte address of float index in a buffer at byte offset base. */
export const addr = (base: number[], index: number[]) => [...base, ...index, ...op.i32(2), ...op.i32Shl(), ...op.i32Add()];
export const mul = (x: number[], y: number[]) => [...x, ...y, ...op.i32Mul()];
export const add = (x: number[], y: number[]) => [...x, ...y, ...op.i32Add()];

