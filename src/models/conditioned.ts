// A language-model family read under a token of each member's choosing at one position: the
// persona teacher. Every row the family reads or continues has its position `position` (0 by
// default: BOS in the numbers world's documents; 1 in the EM world, its speaker slot) replaced
// by member m's token `firstTokens[m]`; rows handed back from sampling carry the original token
// there again, so whoever trains on them never sees the persona. Parameters are the wrapped
// family's, shared, not copied.
import * as tf from '@tensorflow/tfjs';
import type { LmFamily, SampleOptions } from './lm.js';

export class ConditionedLm implements LmFamily {
  readonly kind: string;
  readonly members: number;
  readonly vocabSize: number;
  readonly context: number;

  constructor(
    private readonly inner: LmFamily,
    /** [M] token read at `position` by member m. */
    private readonly firstTokens: Int32Array,
    private readonly position = 0,
  ) {
    if (firstTokens.length !== inner.members) throw new Error(`ConditionedLm: ${firstTokens.length} first tokens for ${inner.members} members`);
    if (!(Number.isInteger(position) && position >= 0 && position < inner.context)) throw new Error(`ConditionedLm: position ${position} is outside the context (${inner.context})`);
    this.kind = inner.kind;
    this.members = inner.members;
    this.vocabSize = inner.vocabSize;
    this.context = inner.context;
  }

  get variables(): tf.Variable[] {
    return this.inner.variables;
  }

  /** tokens [M, B, T] → logits [M, B, T, V] of the rows with the position replaced (rows too short to reach it: as they are). */
  logits(tokens: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const [M, B, T] = tokens.shape;
      const p = this.position;
      if (T <= p) return this.inner.logits(tokens);
      const persona = tf.tile(tf.tensor3d(this.firstTokens, [M, 1, 1], 'int32'), [1, B, 1]); // [M, B, 1]
      const parts = [...(p > 0 ? [tf.slice(tokens, [0, 0, 0], [-1, -1, p])] : []), persona, ...(T > p + 1 ? [tf.slice(tokens, [0, 0, p + 1], [-1, -1, -1])] : [])];
      const conditioned = parts.length === 1 ? parts[0]! : tf.concat(parts, 2);
      return this.inner.logits(conditioned as tf.Tensor3D);
    });
  }

  /** prompts [M, B, P] → [M, B, P + maxNew], continued under the persona, the position restored. */
  sample(prompts: Int32Array, batch: number, promptLength: number, opts: SampleOptions): Int32Array {
    const M = this.members;
    const p = this.position;
    if (p >= promptLength) throw new Error(`ConditionedLm: prompts of ${promptLength} tokens do not reach position ${p}`);
    const conditioned = prompts.slice();
    for (let m = 0; m < M; m++) for (let b = 0; b < batch; b++) conditioned[(m * batch + b) * promptLength + p] = this.firstTokens[m]!;
    const out = this.inner.sample(conditioned, batch, promptLength, opts);
    const L = promptLength + opts.maxNew;
    for (let r = 0; r < M * batch; r++) out[r * L + p] = prompts[r * promptLength + p]!;
    return out;
  }

  memberParams(m: number): Float32Array[] {
    return this.inner.memberParams(m);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
