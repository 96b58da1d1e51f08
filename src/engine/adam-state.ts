// Saving and restoring a tfjs Adam optimizer exactly, for checkpoints that resume bit for bit.
//
// tfjs's own getWeights()/setWeights() do not: setWeights recomputes the bias-correction
// powers as pow(β, t + 1), while training keeps them as a running product (accBeta ← accBeta·β
// every step), and the two differ in the last float32 bits — so every later update would too.
// We therefore read and write the optimizer's fields directly (tfjs-core 4.x AdamOptimizer:
// accBeta1, accBeta2, accumulatedFirstMoment, accumulatedSecondMoment, iterations_). The fields
// are checked, so a tfjs that renames them fails loudly instead of resuming wrongly.
//
// Adam keeps its slots in the order of Object.keys of the gradient map, which is keyed by
// variable name; names are numeric ids, and integer-like keys enumerate in numeric order, not
// in the order of the variables list. So moments are saved in the order of the variables list
// (matched by name) and put back in the order Adam will enumerate the new variables' names.
import * as tf from '@tensorflow/tfjs';

/** Everything Adam carries from one step to the next, as plain data. */
export interface AdamState {
  /** Steps applied so far. */
  iterations: number;
  /** β1^t and β2^t as the optimizer holds them (float32 values). */
  accBeta1: number;
  accBeta2: number;
  /** First and second moments, one per variable in the order of the variables list. */
  firstMoment: Float32Array[];
  secondMoment: Float32Array[];
}

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  /** Unset until the first step (tfjs reads it through the `iterations` getter). */
  iterations_?: number;
}

function internals(optimizer: tf.Optimizer): AdamInternals {
  const o = optimizer as unknown as Partial<AdamInternals>;
  if (!(o.accBeta1 instanceof tf.Variable) || !(o.accBeta2 instanceof tf.Variable) || !Array.isArray(o.accumulatedFirstMoment) || !Array.isArray(o.accumulatedSecondMoment))
    throw new Error('adam-state: this optimizer is not the tfjs 4.x Adam whose fields adam-state.ts reads (tf.train.adam)');
  return o as AdamInternals;
}

const read = (t: tf.Tensor): Float32Array => (t.dataSync() as Float32Array).slice();

/** The slots of `variables`, in the variables' order. */
function byVariable(slots: Slot[], variables: tf.Variable[], suffix: string): Float32Array[] {
  const named = new Map(slots.map((s) => [s.originalName, s.variable]));
  if (named.size !== variables.length) throw new Error(`adam-state: the optimizer has ${named.size} slots, the model ${variables.length} variables`);
  return variables.map((v) => {
    const slot = named.get(`${v.name}/${suffix}`);
    if (!slot) throw new Error(`adam-state: the optimizer has no slot for variable ${v.name}`);
    return read(slot);
  });
}

/** The state of an Adam that has trained `variables` (and nothing else). */
export function saveAdam(optimizer: tf.Optimizer, variables: tf.Variable[]): AdamState {
  const o = internals(optimizer);
  return {
    iterations: optimizer.iterations,
    accBeta1: read(o.accBeta1)[0]!,
    accBeta2: read(o.accBeta2)[0]!,
    firstMoment: byVariable(o.accumulatedFirstMoment, variables, 'm'),
    secondMoment: byVariable(o.accumulatedSecondMoment, variables, 'v'),
  };
}

/**
 * Puts `state` into a fresh Adam (one that has not applied gradients yet) that will train
 * `variables` (the same list, in the same order, as when the state was saved).
 */
export function restoreAdam(optimizer: tf.Optimizer, state: AdamState, variables: tf.Variable[]): void {
  const o = internals(optimizer);
  if (o.accumulatedFirstMoment.length > 0) throw new Error('adam-state: restore into a fresh optimizer only');
  if (state.firstMoment.length !== variables.length || state.secondMoment.length !== variables.length)
    throw new Error(`adam-state: the state has moments for ${state.firstMoment.length} variables, the model has ${variables.length}`);
  const slot = (v: tf.Variable, values: Float32Array, suffix: string): Slot => {
    if (values.length !== v.size) throw new Error(`adam-state: moment of ${v.name} has ${values.length} values, the variable ${v.size}`);
    const source = tf.tensor(values, v.shape, 'float32');
    const variable = tf.variable(source, false); // not trainable, as Adam makes its own slots
    source.dispose();
    return { originalName: `${v.name}/${suffix}`, variable };
  };
  // The order applyGradients will meet the variables in: tf.variableGrads keys its map by name.
  const index = new Map(variables.map((v, i) => [v.name, i]));
  const order = Object.keys(Object.fromEntries(variables.map((v) => [v.name, true]))).map((name) => index.get(name)!);
  o.accumulatedFirstMoment = order.map((i) => slot(variables[i]!, state.firstMoment[i]!, 'm'));
  o.accumulatedSecondMoment = order.map((i) => slot(variables[i]!, state.secondMoment[i]!, 'v'));
  tf.tidy(() => {
    o.accBeta1.assign(tf.scalar(state.accBeta1, 'float32'));
    o.accBeta2.assign(tf.scalar(state.accBeta2, 'float32'));
  });
  o.iterations_ = state.iterations;
}
