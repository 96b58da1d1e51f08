// GELU's elementwise chains, each in one pass. layers.ts's gelu is x·σ(u2) with
// u2 = (x + (x·x)·x·k1)·k2; as tfjs ops that is 5 kernels before the sigmoid and 1 after, and
// autodiff adds 13 more for the gradient, each a pass over the MLP's widest activation
// ([M·B·T, 4d]). These do the same float32 operations in the same order (no fused multiply-add
// in wasm), so the values are those of the ops bit for bit:
//   geluInner(x, out, n, k1, k2):    out = (x + ((x·x)·x)·k1)·k2
//   geluGrad(dy, x, sg, dx, n, k1, k2), sg = σ(u2), in the order tfjs's tape accumulates x's
//   four gradients (its nodes in reverse: x·σ, then the add, then (x·x)·x, then the square):
//     du = (dy·x)·(sg·(1 − sg));  de = du·k2;  dc = de·k1
//     dx = (((dy·sg) + de) + dc·(x·x)) + (dc·x)·(x·2)
import { F32, I32, V128, op, type WasmFunction } from './wasm-bytes.js';
import { add, addr, bump, loopUntil } from './wasm-code.js';

const { get, set, i32 } = op;

/** The f32x4 or f32 form of the arithmetic the two kernels use. */
type Arith = { load: number[]; store: number[]; add: number[]; sub: number[]; mul: number[]; one: number[]; two: number[] };
const x4: Arith = {
  load: op.v128Load(), store: op.v128Store(), add: op.f32x4Add(), sub: op.f32x4Sub(), mul: op.f32x4Mul(),
  one: [...op.f32(1), ...op.f32x4Splat()], two: [...op.f32(2), ...op.f32x4Splat()],
};
const x1: Arith = { load: op.f32Load(), store: op.f32Store(), add: op.f32Add(), sub: op.f32Sub(), mul: op.f32Mul(), one: op.f32(1), two: op.f32(2) };

/** while i + width ≤ n, then one at a time: the vector body and the scalar tail of one loop. */
function elementLoops(i: number, n: number, body: (a: Arith, k1: number[], k2: number[]) => number[], [k1, k2]: [number, number], [v1, v2]: [number, number]): number[] {
  return [
    ...get(k1), ...op.f32x4Splat(), ...set(v1),
    ...get(k2), ...op.f32x4Splat(), ...set(v2),
    ...i32(0), ...set(i),
    ...loopUntil([...add(get(i), i32(4)), ...get(n), ...op.i32GtU()], [...body(x4, get(v1), get(v2)), ...bump(i, i32(4))]),
    ...loopUntil([...get(i), ...get(n), ...op.i32GeU()], [...body(x1, get(k1), get(k2)), ...bump(i, i32(1))]),
  ];
}

export function geluInnerFunction(): WasmFunction {
  const [x, out, n, k1, k2] = [0, 1, 2, 3, 4];
  const [i, v1, v2] = [5, 6, 7];
  const body = (a: Arith, c1: number[], c2: number[]) => {
    const xAt = [...addr(get(x), get(i)), ...a.load];
    // out = (x + ((x·x)·x)·k1)·k2
    return [...addr(get(out), get(i)), ...xAt, ...xAt, ...xAt, ...a.mul, ...xAt, ...a.mul, ...c1, ...a.mul, ...a.add, ...c2, ...a.mul, ...a.store];
  };
  return { name: 'geluInner', params: [I32, I32, I32, F32, F32], locals: [I32, V128, V128], body: elementLoops(i, n, body, [k1, k2], [v1, v2]) };
}

export function geluGradFunction(): WasmFunction {
  const [dy, x, sg, dx, n, k1, k2] = [0, 1, 2, 3, 4, 5, 6];
  const [i, v1, v2] = [7, 8, 9];
  // x, de and dc of the element(s): V128 locals in the vector body, F32 ones in the tail
  const temps = { x4: [10, 11, 12], x1: [13, 14, 15] };
  const body = (a: Arith, c1: number[], c2: number[]) => {
    const [xL, deL, dcL] = a === x4 ? temps.x4 : temps.x1;
    const at = (base: number) => [...addr(get(base), get(i)), ...a.load];
    const sgAt = at(sg);
    return [
      ...at(x), ...set(xL!),
      // de = ((dy·x)·(sg·(1 − sg)))·k2 ; dc = de·k1
      ...at(dy), ...get(xL!), ...a.mul, ...sgAt, ...a.one, ...sgAt, ...a.sub, ...a.mul, ...a.mul, ...c2, ...a.mul, ...set(deL!),
      ...get(deL!), ...c1, ...a.mul, ...set(dcL!),
      // dx = (((dy·sg) + de) + dc·(x·x)) + (dc·x)·(x·2)
      ...addr(get(dx), get(i)),
      ...at(dy), ...sgAt, ...a.mul, ...get(deL!), ...a.add,
      ...get(dcL!), ...get(xL!), ...get(xL!), ...a.mul, ...a.mul, ...a.add,
      ...get(dcL!), ...get(xL!), ...a.mul, ...get(xL!), ...a.two, ...a.mul, ...a.mul, ...a.add,
      ...a.store,
    ];
  };
  return {
    name: 'geluGrad',
    params: [I32, I32, I32, I32, I32, F32, F32],
    locals: [I32, V128, V128, V128, V128, V128, F32, F32, F32],
    body: elementLoops(i, n, body, [k1, k2], [v1, v2]),
  };
}
