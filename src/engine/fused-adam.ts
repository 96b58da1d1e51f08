// Adam whose update of a variable is one kernel call on wasm. tfjs's AdamOptimizer updates each
// variable with 13 elementwise ops (5 multiplies, 3 adds, 3 divides, a square and a sqrt), each
// its own kernel call, allocation and pass through memory: at a gpt step's 30-odd variables that
// is about 400 of the step's 1,400 kernel calls. TraitlabAdam (kernels-module.ts's adam) does the
// same float32 operations on each element in one pass, so parameters and moments are those of
// tfjs's Adam bit for bit (test/engine/fused-adam.test.ts). Off wasm, or where traitlab's kernels
// cannot run, it is tfjs's Adam unchanged. The fields stay tfjs's (adam-state.ts reads them).
import * as tf from '@tensorflow/tfjs';
import { heapOffset, requireWasmKernels, wasmKernelsActive, type WasmBackendView } from './wasm-kernels/instance.js';

const KERNEL = 'TraitlabAdam';

/** The update's float32 constants, as tfjs's Adam turns them into scalars. */
type AdamConstants = {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negLearningRate: number;
};

/** Inputs x, m, v, g (one shape, float32); outputs x', m', v'. */
function adamWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): tf.TensorInfo[] {
  const { x, m, v, g } = args.inputs as Record<'x' | 'm' | 'v' | 'g', tf.TensorInfo>;
  const c = args.attrs as AdamConstants;
  const backend = args.backend as WasmBackendView;
  const kernels = requireWasmKernels(backend, KERNEL);
  const outs = [x, m, v].map((t) => backend.makeOutput([...t.shape], 'float32'));
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const size = x.shape.reduce((a, b) => a * b, 1);
  kernels.adam(at(x), at(m), at(v), at(g), at(outs[0]!), at(outs[1]!), at(outs[2]!), size, c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.oneMinusAccBeta1, c.oneMinusAccBeta2, c.epsilon, c.negLearningRate);
  return outs;
}

if (tf.getKernel(KERNEL, 'wasm') === undefined) tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: adamWasm as unknown as tf.KernelFunc });

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** tfjs-core 4.x AdamOptimizer's private fields (adam-state.ts checks the same names). */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!wasmKernelsActive()) {
      super.applyGradients(variableGradients);
      return;
    }
    const o = this as unknown as AdamFields;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      // tfjs: sub(1, accBeta) and scalars of β, 1 − β (taken in double), ε and −lr, all float32
      const f = Math.fround;
      const constants: AdamConstants = {
        beta1: f(o.beta1),
        oneMinusBeta1: f(1 - o.beta1),
        beta2: f(o.beta2),
        oneMinusBeta2: f(1 - o.beta2),
        oneMinusAccBeta1: f(1 - o.accBeta1.dataSync()[0]!),
        oneMinusAccBeta2: f(1 - o.accBeta2.dataSync()[0]!),
        epsilon: f(o.epsilon),
        negLearningRate: f(-o.learningRate),
      };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        // slots made as tfjs makes them, even for a variable without a gradient this step
        o.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        o.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) return;
        // the kernel reads g element by element beside x: no broadcasting, as tfjs's Adam never needs
        if (gradient.size !== value.size || gradient.dtype !== 'float32')
          throw new Error(`adam: the gradient of variable ${name} is ${gradient.dtype} [${gradient.shape.join(', ')}], the variable float32 [${value.shape.join(', ')}]; Adam needs them alike`);
        const m = o.accumulatedFirstMoment[i]!.variable;
        const v = o.accumulatedSecondMoment[i]!.variable;
        const [x2, m2, v2] = tf.engine().runKernel(KERNEL, { x: value, m, v, g: gradient }, constants as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(x2!);
      });
      o.accBeta1.assign(tf.mul(o.accBeta1, o.beta1));
      o.accBeta2.assign(tf.mul(o.accBeta2, o.beta2));
    });
    this.incrementIterations();
  }
}

/** tf.train.adam(learningRate) (β 0.9 and 0.999, the backend's ε), its update fused on wasm. */
export function adam(learningRate: number): tf.Optimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
}
