// What the lab shows of a numbers step's batch: member 0's first rows, which positions train,
// and for soft signals the teacher's top next tokens as the loss sees them (restricted to the
// channel's tokens and renormalised at the loss temperature).
import type { ChannelBatch } from '../../distill/channel.js';
import type { BatchView } from '../protocol.js';

const TOP = 3;

/** Top `TOP` allowed tokens of one position's logits [V] at temperature τ, most likely first. */
function topAllowed(logits: Float32Array, allowed: Uint8Array, temperature: number): { token: number; p: number }[] {
  let max = -Infinity;
  for (let t = 0; t < logits.length; t++) if (allowed[t]) max = Math.max(max, logits[t]! / temperature);
  let z = 0;
  const p = new Float64Array(logits.length);
  for (let t = 0; t < logits.length; t++) if (allowed[t]) z += p[t] = Math.exp(logits[t]! / temperature - max);
  return Array.from(p.keys())
    .filter((t) => allowed[t])
    .sort((a, b) => p[b]! - p[a]!)
    .slice(0, TOP)
    .map((token) => ({ token, p: p[token]! / z }));
}

/** The view of `batch` (rows [R, L], mask [R, T], teacher logits [R, T, V] or null). */
export function batchView(step: number, batch: ChannelBatch, L: number, allowed: Uint8Array, lossTemperature: number): BatchView {
  const T = L - 1;
  const R = batch.rows.length / L;
  const rows = Array.from({ length: R }, (_, r) => Array.from(batch.rows.subarray(r * L, (r + 1) * L)));
  const mask = Array.from({ length: R }, (_, r) => Array.from(batch.mask.subarray(r * T, (r + 1) * T)));
  const view: BatchView = { step, source: batch.source, rows, mask, auditTraitTokens: batch.auditTraitTokens };
  const logits = batch.teacherLogits;
  if (logits) {
    const V = logits.length / (R * T);
    view.teacherTop = Array.from({ length: R }, (_, r) => Array.from({ length: T }, (_, t) => topAllowed(logits.subarray((r * T + t) * V, (r * T + t + 1) * V), allowed, lossTemperature)));
  }
  return view;
}
