// An MLP family whose parameters carry a leading members axis: member i is seed i, and
// M members train in one set of ops. Init as in the published MNIST experiment:
// weights N(0, 1/d_in), biases 0, ReLU between layers, no activation on the output.
import * as tf from '@tensorflow/tfjs';
import type { RandomStream } from '../engine/rng.js';
import { unstackMembers } from './layers.js';
import { matMul2d } from './matmul.js';
import { memberMatMul, gemmServed } from './member-matmul.js';

export interface MlpShape {
  /** Layer widths, input first: e.g. [784, 256, 256, 13]. */
  sizes: number[];
  /** Number of members (independent networks) in the family. */
  members: number;
}

/** Plain-array parameters of one member, for copying initialisations between families. */
export interface MemberInit {
  weights: Float32Array[]; // layer l: [d_in · d_out], row-major [d_in, d_out]
  biases: Float32Array[]; // layer l: [d_out]
}

/** Draws one member's initial parameters: W ~ N(0, 1/d_in), b = 0. */
export function drawMemberInit(sizes: number[], rng: RandomStream): MemberInit {
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const dIn = sizes[l]!;
    const dOut = sizes[l + 1]!;
    const std = 1 / Math.sqrt(dIn);
    const w = new Float32Array(dIn * dOut);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
    weights.push(w);
    biases.push(new Float32Array(dOut));
  }
  return { weights, biases };
}

function variableFrom(source: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(source, trainable);
  source.dispose();
  return v;
}

export class MlpFamily {
  readonly sizes: number[];
  readonly members: number;
  /** Layer l weights: [M, d_in, d_out]. */
  readonly weights: tf.Variable[];
  /** Layer l biases: [M, d_out]. */
  readonly biases: tf.Variable[];

  /** Builds a family from one initialisation per member (inits.length = M). */
  constructor(sizes: number[], inits: MemberInit[], trainable = true) {
    if (inits.length === 0) throw new Error('an MLP family needs at least one member');
    this.sizes = [...sizes];
    this.members = inits.length;
    this.weights = [];
    this.biases = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const dIn = sizes[l]!;
      const dOut = sizes[l + 1]!;
      const w = new Float32Array(this.members * dIn * dOut);
      const b = new Float32Array(this.members * dOut);
      inits.forEach((init, m) => {
        w.set(init.weights[l]!, m * dIn * dOut);
        b.set(init.biases[l]!, m * dOut);
      });
      // tf.variable keeps its source tensor alive: free it, or every family leaks its size.
      this.weights.push(variableFrom(tf.tensor3d(w, [this.members, dIn, dOut]), trainable));
      this.biases.push(variableFrom(tf.tensor2d(b, [this.members, dOut]), trainable));
    }
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  /** The output layer: weights [M, d_last, d_out] and bias [M, d_out]. */
  get headVariables(): tf.Variable[] {
    return [this.weights.at(-1)!, this.biases.at(-1)!];
  }

  /**
   * Forward pass. `x` is either shared by all members ([B, d_in]) or per member ([M, B, d_in]).
   * Returns logits [M, B, d_out].
   *
   * On wasm with traitlab's kernels every layer is one memberMatMul (applyStacked, below).
   * Otherwise — layout chosen by benchmark on wasm, see bench/ — when the input is shared, the first
   * layer of all members is one plain 2D matmul against the members' weights laid side by side
   * ([d_in, M·d_out]); deeper layers are one plain 2D matmul per member. Batched matmuls
   * leave wasm's fast path, so they are avoided.
   */
  apply(x: tf.Tensor2D | tf.Tensor3D): tf.Tensor3D {
    if (gemmServed(x, this.weights[0]!)) return this.applyStacked(x);
    return tf.tidy(() => {
      const M = this.members;
      let perMember: tf.Tensor2D[];
      let start = 0;
      if (x.rank === 2) {
        const [dIn, dOut] = [this.sizes[0]!, this.sizes[1]!];
        // [M, d_in, d_out] → [d_in, M, d_out] → [d_in, M·d_out]
        const wSide = tf.reshape(tf.transpose(this.weights[0]!, [1, 0, 2]), [dIn, M * dOut]) as tf.Tensor2D;
        const h = tf.add(matMul2d(x as tf.Tensor2D, wSide), tf.reshape(this.biases[0]!, [1, M * dOut])); // [B, M·d_out]
        const act = (this.sizes.length > 2 ? tf.relu(h) : h) as tf.Tensor2D;
        // [B, M·d_out] → [B, M, d_out] → [M, B, d_out] → M × [B, d_out]: a transpose and a heap
        // copy per member (tf.split's column slices cost ~3× more on wasm, and its gradient a concat)
        const B = x.shape[0];
        perMember = M === 1 ? [act] : (unstackMembers(tf.transpose(tf.reshape(act, [B, M, dOut]), [1, 0, 2])) as tf.Tensor2D[]);
        start = 1;
      } else {
        perMember = unstackMembers(x) as tf.Tensor2D[]; // M × [B, d_in]
      }
      // Unstack only the layers used below: an unused unstack output breaks its gradient.
      const wsPerLayer = this.weights.map((w, l) => (l >= start ? (unstackMembers(w) as tf.Tensor2D[]) : []));
      const bsPerLayer = this.biases.map((b, l) => (l >= start ? (unstackMembers(b) as tf.Tensor1D[]) : []));
      const last = this.weights.length - 1;
      const outs = perMember.map((h0, m) => {
        let h = h0;
        for (let l = start; l <= last; l++) {
          h = tf.add(matMul2d(h, wsPerLayer[l]![m]!), bsPerLayer[l]![m]!);
          if (l < last) h = tf.relu(h);
        }
        return h;
      });
      return tf.stack(outs) as tf.Tensor3D; // [M, B, d_out]
    });
  }

  /**
   * apply() on wasm with traitlab's kernels: every layer one memberMatMul for all members on the
   * stacked weights (the first reads x shared or per member), biases added per member. The same
   * sums as the split layout above, bit for bit, without its transposes, splits and joins.
   */
  private applyStacked(x: tf.Tensor2D | tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const last = this.weights.length - 1;
      let h: tf.Tensor2D | tf.Tensor3D = x;
      this.weights.forEach((w, l) => {
        const y = tf.add(memberMatMul(h, w as tf.Tensor3D), tf.expandDims(this.biases[l]!, 1)) as tf.Tensor3D; // [M, B, d_l+1]
        h = l < last ? tf.relu(y) : y;
      });
      return h as tf.Tensor3D;
    });
  }

  /** Plain-array copy of member m's parameters. */
  memberParams(m: number): MemberInit {
    const dataOf = (t: tf.Variable) => {
      const member = tf.tidy(() => tf.gather(t, m)); // read outside tidy: it scans returned arrays
      const values = member.dataSync() as Float32Array;
      member.dispose();
      return values;
    };
    return { weights: this.weights.map(dataOf), biases: this.biases.map(dataOf) };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
