// Building blocks shared by the model families: the members axis (split, join, one plain 2D
// matmul per member), and parameters described by name and per-member shape
// so a family can be built from per-member arrays, stacked arrays, or a checkpoint alike.
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from './matmul.js';
import { memberMatMul, gemmServed } from './member-matmul.js';

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * A kernel that splits [M, …] along axis 0 into M tensors, for tfjs-wasm. Its stock Unpack and
 * Slice kernels read the whole input into a fresh JS array once per output (readSync copies
 * the heap), so unstacking [8, 768, 256] took 25 ms where one memcpy per member takes ~1 ms.
 * This one copies each member straight out of the wasm heap. Gradient: stack of the dys.
 */
const UNSTACK0 = 'TraitlabUnstack0';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function unstack0Wasm({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const x = inputs.x as tf.TensorInfo;
  const b = backend as WasmHeapBackend;
  const outShape = x.shape.slice(1);
  const size = sizeOf(outShape);
  const outs: tf.TensorInfo[] = [];
  for (let m = 0; m < x.shape[0]!; m++) {
    const out = b.makeOutput(outShape, x.dtype);
    // views taken after makeOutput, which may grow the heap and detach older views
    b.typedArrayFromHeap(out).set(b.typedArrayFromHeap(x).subarray(m * size, (m + 1) * size));
    outs.push(out);
  }
  return outs;
}

// Guarded: a second copy of this module in one process (src and dist, say) must not re-register.
if (tf.getKernel(UNSTACK0, 'wasm') === undefined) tf.registerKernel({ kernelName: UNSTACK0, backendName: 'wasm', kernelFunc: unstack0Wasm as tf.KernelFunc });
if (tf.getGradient(UNSTACK0) === undefined)
  tf.registerGradient({ kernelName: UNSTACK0, gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ({ x: () => tf.stack(Array.isArray(dy) ? dy : [dy]) }) });

/**
 * Splits [M, …] into M tensors [...]. tfjs's unstack gradient breaks when M = 1 (it receives
 * one tensor where it expects a list), so that case is a reshape. On wasm, a heap-copy kernel
 * (above) replaces tf.unstack.
 */
export function unstackMembers(t: tf.Tensor): tf.Tensor[] {
  if (t.shape[0] === 1) return [tf.reshape(t, t.shape.slice(1))];
  if (tf.getBackend() === 'wasm') return tf.engine().runKernel(UNSTACK0, { x: t }) as unknown as tf.Tensor[];
  return tf.unstack(t);
}

/** tf.stack whose gradient splits with unstackMembers (tfjs's own uses the slow Unpack on wasm). */
const stackFast = tf.customGrad(((...args: unknown[]) => {
  const xs = args.slice(0, -1) as tf.Tensor[];
  return { value: tf.stack(xs), gradFunc: (dy: tf.Tensor) => unstackMembers(dy) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;

/** Joins M tensors [...] into [M, …] (the inverse of unstackMembers). */
export function stackMembers(ts: tf.Tensor[]): tf.Tensor {
  if (ts.length === 1) return tf.expandDims(ts[0]!, 0);
  return tf.getBackend() === 'wasm' ? stackFast(...ts) : tf.stack(ts);
}

/** A matmul weight of every member: stacked [M, k, n] (a family's variable), or split M × [k, n]. */
export type MemberMatrix = tf.Tensor3D | tf.Tensor2D[];

/** The tensors of a MemberMatrix (to dispose them). */
export const matrixTensors = (w: MemberMatrix): tf.Tensor[] => (Array.isArray(w) ? w : [w]);

/**
 * Per-member linear map. x: [M, N, k]; w: [M, k, n] or M × [k, n]; b: [M, n] or null →
 * [M, N, n]. A stacked weight on wasm with traitlab's kernels is one memberMatMul for every
 * member; otherwise one plain 2D matmul per member (wasm's fast path; tfjs's batched matmul
 * leaves it) on the split tensors. The sums are the same either way.
 */
export function memberLinear(x: tf.Tensor3D, w: MemberMatrix, b: tf.Tensor2D | null): tf.Tensor3D {
  let y: tf.Tensor3D;
  if (!Array.isArray(w) && gemmServed(x, w)) y = memberMatMul(x, w);
  else {
    const ws = Array.isArray(w) ? w : (unstackMembers(w) as tf.Tensor2D[]);
    const xs = unstackMembers(x) as tf.Tensor2D[];
    y = stackMembers(xs.map((xm, m) => matMul2d(xm, ws[m]!))) as tf.Tensor3D;
  }
  return b === null ? y : (tf.add(y, tf.expandDims(b, 1)) as tf.Tensor3D);
}

/** tanh(x) as 2σ(2x) − 1: the same function, ~10× faster on tfjs-wasm (fast sigmoid, slow tanh). */
export function tanhViaSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
}

/**
 * One-hot rows as float32: indices [n] int32 → [n, depth]. tfjs-wasm 4.22's OneHot kernel
 * ignores the dtype argument and writes int32 bits into a float32 tensor (1 reads as 1.4e-45),
 * so the one-hot is made int32 and cast.
 */
export function oneHotF32(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
}

/** One parameter tensor of one member: its name (stable, used by checkpoints) and shape. */
export interface ParamSpec {
  name: string;
  /** Per-member shape; the family's variable is [M, ...shape]. */
  shape: number[];
}

function variableFrom(source: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(source, trainable);
  source.dispose(); // tf.variable keeps its source alive: free it, or every family leaks its size
  return v;
}

/**
 * Variables [M, ...shape] in `specs` order from stacked data: stacked[i] holds all M members of
 * parameter i, member-major (M · size values).
 */
export function variablesFromStacked(specs: ParamSpec[], members: number, stacked: Float32Array[], trainable: boolean): tf.Variable[] {
  if (stacked.length !== specs.length) throw new Error(`expected ${specs.length} parameter arrays, got ${stacked.length}`);
  return specs.map((s, i) => {
    const data = stacked[i]!;
    const want = members * sizeOf(s.shape);
    if (data.length !== want) throw new Error(`parameter ${s.name}: expected ${want} values (${members} × [${s.shape.join(', ')}]), got ${data.length}`);
    return variableFrom(tf.tensor(data, [members, ...s.shape], 'float32'), trainable);
  });
}

/** Stacks per-member parameter lists (params[m][i]) into one array per parameter. */
export function stackMemberParams(specs: ParamSpec[], params: Float32Array[][]): Float32Array[] {
  if (params.length === 0) throw new Error('a family needs at least one member');
  return specs.map((s, i) => {
    const size = sizeOf(s.shape);
    const out = new Float32Array(params.length * size);
    params.forEach((p, m) => {
      if (p.length !== specs.length) throw new Error(`member ${m}: expected ${specs.length} parameter arrays, got ${p.length}`);
      const a = p[i]!;
      if (a.length !== size) throw new Error(`member ${m}, parameter ${s.name}: expected ${size} values, got ${a.length}`);
      out.set(a, m * size);
    });
    return out;
  });
}

/** Plain-array copy of member m of each variable [M, ...]. */
export function readMember(variables: tf.Variable[], m: number): Float32Array[] {
  const members = variables[0]?.shape[0] ?? 0;
  if (!(Number.isInteger(m) && m >= 0 && m < members)) throw new Error(`member ${m} is outside 0..${members - 1}`);
  return variables.map((v) => {
    const member = tf.tidy(() => tf.slice(v, [m], [1])); // read outside tidy: it scans returned arrays
    const values = member.dataSync() as Float32Array;
    member.dispose();
    return values;
  });
}
