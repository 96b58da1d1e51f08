// A language-model family read under a first-position token of each member's choosing: the
// persona teacher. Every row the family reads or continues has its position 0 (BOS in the
// world's documents) replaced by member m's token `firstTokens[m]`; rows handed back from
// sampling carry the original position-0 token again, so whoever trains on them never sees the
// persona. Parameters are the wrapped family's, shared, not copied.
import * as tf from '@tensorflow/tfjs';
import type { LmFamily, SampleOptions } from './lm.js';

export class ConditionedLm implements LmFamily {
  readonly kind: string;
  readonly members: number;
  readonly vocabSize: number;
  readonly context: number;

  constructor(
    private readonly inner: LmFamily,
    /** [M] token read at position 0 by member m. */
    private readonly firstTokens: Int32Array,
  ) {
    if (firstTokens.length !== inner.members) throw new Error(`ConditionedLm: ${firstTokens.length} first tokens for ${inner.members} members`);
    this.kind = inner.kind;
    this.members = inner.members;
    this.vocabSize = inner.vocabSize;
    this.context = inner.context;
  }

  get variables(): tf.Variable[] {
    return this.inner.variables;
  }

  /** tokens [M, B, T] → logits [M, B, T, V] of the rows with position 0 replaced. */
  logits(tokens: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const [M, B, T] = tokens.shape;
      const first = tf.tile(tf.tensor3d(this.firstTokens, [M, 1, 1], 'int32'), [1, B, 1]); // [M, B, 1]
      const conditioned = T === 1 ? first : tf.concat([first, tf.slice(tokens, [0, 0, 1], [-1, -1, -1])], 2);
      return this.inner.logits(conditioned as tf.Tensor3D);
    });
  }

  /** prompts [M, B, P] → [M, B, P + maxNew], continued under the persona, position 0 restored. */
  sample(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array {
    const M = this.members;
    const conditioned = prompts.slice();
    for (let m = 0; m < M; m++) for (let b = 0; b < batch; b++) conditioned[(m * batch + b) * promptLength] = this.firstTokens[m]!;
    const out = this.inner.sample(conditioned, batch, promptLength, opts);
    const L = promptLength + opts.maxNew;
    for (let r = 0; r < M * batch; r++) out[r * L] = prompts[r * promptLength]!;
    return out;
  }

  memberParams(m: number): Float32Array[] {
    return this.inner.memberParams(m);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
