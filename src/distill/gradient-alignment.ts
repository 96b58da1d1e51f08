// Gradient alignment (Kitkana & Arora, arXiv 2604.25779): per member of a family, the cosine
// between two gradients over all of its trained parameters, flattened. Every parameter tensor
// carries the members axis first ([M, ...]), and member m's slice is member m's own network, so
// the per-member cosine is a sum over each tensor's slice.
import * as tf from '@tensorflow/tfjs';

/**
 * cos(a_m, b_m) for every member m, where a_m (b_m) concatenates a[i][m] (b[i][m]) over the
 * tensors i (same shapes in a and b, each [M, ...]). A member whose either vector is exactly 0
 * (no trained position, no gradient) gets 0. Sums are float32, on the device.
 */
export function memberCosines(a: readonly tf.Tensor[], b: readonly tf.Tensor[], members: number): number[] {
  if (a.length !== b.length) throw new Error(`memberCosines: ${a.length} tensors against ${b.length}`);
  const sums = tf.tidy(() => {
    const parts = a.map((x, i) => {
      const y = b[i]!;
      if (x.shape.join() !== y.shape.join() || x.shape[0] !== members)
        throw new Error(`memberCosines: tensor ${i} has shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}], expected [${members}, ...] for both`);
      const xf = tf.reshape(x, [members, -1]);
      const yf = tf.reshape(y, [members, -1]);
      return tf.stack([tf.sum(tf.mul(xf, yf), 1), tf.sum(tf.square(xf), 1), tf.sum(tf.square(yf), 1)]); // [3, M]
    });
    return parts.length === 0 ? tf.zeros([3, members]) : tf.addN(parts);
  });
  const s = sums.dataSync();
  sums.dispose();
  return Array.from({ length: members }, (_, m) => {
    const dot = s[m]!;
    const na = s[members + m]!;
    const nb = s[2 * members + m]!;
    return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
  });
}
