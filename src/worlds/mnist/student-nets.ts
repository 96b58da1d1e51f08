// The student network of an MNIST arm, as plain data and then as a family: an MLP from the
// student recipe's init (today's student), optionally with the teacher's initial output layer in
// place of its own; or a small CNN drawn from its own seeds (stream root/init-cnn/<m>), optionally
// with the teacher's initial output layer. Either may train its output layer alone.
import { rootStream } from '../../engine/rng.js';
import { CNN_HEAD, CnnFamily, drawCnnMember, type CnnShape } from '../../models/cnn.js';
import type { MemberClassifier } from '../../models/member-classifier.js';
import { MlpFamily, type MemberInit } from '../../models/mlp.js';
import type { StudentInitContext } from '../../../students/index.js';
import { studentRegistry } from '../../../students/index.js';
import { IMAGE_SIDE } from './data.js';
import type { StudentArm } from './schema.js';

/** What a student arm's network is, as plain data (crosses to worker threads). */
export interface StudentNet {
  /** MLP students: member m's initial parameters (layer sizes: the input's `sizes`). Empty for a CNN. */
  inits: MemberInit[];
  /** Present for a CNN student: its shape and member m's parameters (cnnParamSpecs order). */
  cnn?: { shape: CnnShape; params: Float32Array[][] };
  /** Only the output layer trains; every other layer stays bit for bit at its init. */
  headOnly?: boolean;
}

/** `init` with its output layer replaced by `head`'s (the arrays are shared, not copied: families copy them). */
function withHeadOf(init: MemberInit, head: MemberInit): MemberInit {
  return { weights: [...init.weights.slice(0, -1), head.weights.at(-1)!], biases: [...init.biases.slice(0, -1), head.biases.at(-1)!] };
}

/** The network of `arm` for a run of `sizes` (the teacher's layer widths) and root seed `rootSeed`. */
export function studentNet(arm: StudentArm, ctx: StudentInitContext, sizes: number[], rootSeed: number): StudentNet {
  const teacherHead = arm.head === 'teacher-init';
  const headOnly = arm.train === 'head' ? { headOnly: true } : {};
  const M = ctx.members;
  if (arm.cnn === undefined) {
    const recipe = studentRegistry.get(arm.student)!; // checked with the recipe names (mnistWorld.check): MNIST students have init
    const inits = Array.from({ length: M }, (_, m) => recipe.init!(ctx, m));
    return { inits: teacherHead ? inits.map((init, m) => withHeadOf(init, ctx.teacherInit(m))) : inits, ...headOnly };
  }
  const shape: CnnShape = { side: IMAGE_SIDE, kernel: arm.cnn.kernel, channels: arm.cnn.channels, dense: sizes.at(-2)!, outputs: sizes.at(-1)! };
  const streams = rootStream(rootSeed).child('init-cnn');
  const params = Array.from({ length: M }, (_, m) => {
    const own = drawCnnMember(shape, streams.child(String(m)));
    if (!teacherHead) return own;
    const teacher = ctx.teacherInit(m);
    return [...own.slice(0, CNN_HEAD), teacher.weights.at(-1)!, teacher.biases.at(-1)!];
  });
  return { inits: [], cnn: { shape, params }, ...headOnly };
}

/** The family a StudentNet describes (sizes: the MLP's layer widths). */
export function buildStudent(net: StudentNet, sizes: number[]): MlpFamily | CnnFamily {
  return net.cnn ? new CnnFamily(net.cnn.shape, net.cnn.params) : new MlpFamily(sizes, net.inits);
}

/** The variables the distillation trains: all of them, or only the output layer's. */
export const trainedVariables = (student: MemberClassifier, net: StudentNet) => (net.headOnly ? student.headVariables : student.variables);
