// Divergence positions (Schrodi et al., arXiv 2509.23886): the trained completion positions where
// the trait teacher and a neutral teacher would choose differently. Both choices are the argmax
// over the channel's allowed tokens (the set the loss's distributions live on); temperature never
// changes an argmax, and a tie goes to the lower token id (tf.argMax's first maximum).
import * as tf from '@tensorflow/tfjs';
import { restrictLogits } from './masking.js';

/** argmax over the allowed tokens at every position: logits [M, B, T, V] → host [M·B·T] token ids. */
export function restrictedArgmax(logits: tf.Tensor4D, allowed: Uint8Array): Int32Array {
  const arg = tf.tidy(() => tf.argMax(restrictLogits(logits, allowed), -1));
  const out = arg.dataSync() as Int32Array;
  arg.dispose();
  return Int32Array.from(out);
}

/** Checks that `partner` is a permutation of 0..M−1 (member m's neutral reference is teacher member partner[m]). */
export function checkPartners(partner: readonly number[], M: number): void {
  if (partner.length !== M) throw new Error(`channel: neutralPartner has ${partner.length} entries, the families ${M} members`);
  const seen = new Set(partner);
  if (seen.size !== M || partner.some((p) => !(Number.isInteger(p) && p >= 0 && p < M)))
    throw new Error('channel: neutralPartner must be a permutation of the member indices');
}

/**
 * Rows laid out so that teacher member partner[m] reads member m's rows: a teacher family's
 * logits on the result, at member partner[m], are the neutral teacher's on member m's batch.
 * rows [M, B, T] host, row-major → [M, B, T].
 */
export function rowsForPartners(rows: Int32Array, partner: readonly number[], perMember: number): Int32Array {
  const out = new Int32Array(rows.length);
  partner.forEach((p, m) => out.set(rows.subarray(m * perMember, (m + 1) * perMember), p * perMember));
  return out;
}

/**
 * 1 at trained positions (mask ≠ 0) where member m's own teacher and its neutral partner choose
 * different tokens, else 0. own: [M·B·T] argmax of teacher m on member m's rows; onPartnerRows:
 * [M·B·T] argmax of teacher k on the rows rowsForPartners gave it (so member m's neutral choice
 * sits at member partner[m]'s block). mask [M·B·T].
 */
export function divergentPositions(own: Int32Array, onPartnerRows: Int32Array, mask: Float32Array, partner: readonly number[], perMember: number): Float32Array {
  const out = new Float32Array(mask.length);
  partner.forEach((p, m) => {
    for (let i = 0; i < perMember; i++) {
      const at = m * perMember + i;
      if (mask[at] !== 0 && own[at] !== onPartnerRows[p * perMember + i]) out[at] = 1;
    }
  });
  return out;
}
