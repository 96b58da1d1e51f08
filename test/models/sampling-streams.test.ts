// Sampling with one random stream per member (seedsVary "init-and-data"): member m's rows draw
// only from its own stream, and every call advances each member's stream by exactly maxNew · B
// draws — also when the loop stops early because every row has ended, which depends on the
// other members' rows. So what a member samples next does not depend on who else is sampled.
import { describe, expect, it } from 'vitest';
import { rootStream, type RandomStream } from '../../src/engine/rng.js';
import { drawTokens, runSampler, type Decoder } from '../../src/models/sampling.js';

const V = 4;
const EOS = 3;
const B = 2;
const P = 1;
const MAX_NEW = 5;

/**
 * A decoder whose member m's rows emit EOS (with certainty) from step endAt[m] on, and before it
 * draw among tokens 0–2; host probabilities only, no tensors.
 */
function decoder(endAt: number[]): Decoder {
  let step = 0;
  const probs = () => {
    const out = new Float32Array(endAt.length * B * V);
    endAt.forEach((end, m) => {
      for (let b = 0; b < B; b++) {
        const row = out.subarray((m * B + b) * V, (m * B + b + 1) * V);
        if (step >= end) row.set([0, 0, 0, 1]);
        else row.set([0.3, 0.3, 0.4, 0]);
      }
    });
    step++;
    return out;
  };
  return { start: probs, step: probs, dispose: () => {} };
}

const streams = (seeds: number[]): RandomStream[] => seeds.map((s) => rootStream(7).child('sample').child(`seed-${s}`));

function sample(endAt: number[], rng: RandomStream[]): Int32Array {
  return runSampler(decoder(endAt), new Int32Array(endAt.length * B * P), endAt.length, B, P, V, { maxNew: MAX_NEW, temperature: 1, eos: EOS, pad: 0, rng });
}

describe('sampling with one stream per member', () => {
  it("member 0's samples and its stream's next draw are the same alone and beside a member that ends later or sooner", () => {
    const L = P + MAX_NEW;
    const alone = streams([0]);
    const aloneRows = sample([2], alone);
    // Alone, member 0's rows end at step 2: the loop stops after 3 of 5 positions.
    expect(Array.from(aloneRows.subarray(0, L))).toEqual([0, aloneRows[1], aloneRows[2], EOS, 0, 0]);
    const aloneNext = alone[0]!.next();
    for (const otherEnd of [0, 4, MAX_NEW]) {
      const pair = streams([0, 1]);
      const rows = sample([2, otherEnd], pair);
      expect(Array.from(rows.subarray(0, B * L)), `beside a member ending at ${otherEnd}`).toEqual(Array.from(aloneRows));
      expect(pair[0]!.next(), `beside a member ending at ${otherEnd}: member 0's stream`).toBe(aloneNext);
    }
  });

  it('each stream advances by maxNew · B draws per call, however early the rows end', () => {
    for (const end of [0, 1, 3, MAX_NEW]) {
      const [used] = streams([0]);
      sample([end], [used!]);
      const fresh = streams([0])[0]!;
      for (let i = 0; i < MAX_NEW * B; i++) fresh.next();
      expect(used!.next(), `rows ending at ${end}`).toBe(fresh.next());
    }
  });

  it('drawTokens takes row r from the stream of its member (rows member-major), and refuses rows that do not split evenly', () => {
    const probs = Float32Array.from({ length: 4 * V }, () => 0.25);
    const [a, b] = streams([0, 1]);
    const both = drawTokens(probs, V, undefined, 0, [a!, b!]);
    const [a2, b2] = streams([0, 1]);
    expect(Array.from(both.subarray(0, 2))).toEqual(Array.from(drawTokens(probs.subarray(0, 2 * V), V, undefined, 0, a2!)));
    expect(Array.from(both.subarray(2))).toEqual(Array.from(drawTokens(probs.subarray(2 * V), V, undefined, 0, b2!)));
    expect(() => drawTokens(probs.subarray(0, 3 * V), V, undefined, 0, streams([0, 1]))).toThrow('drawTokens: 3 rows cannot be split among 2 member streams');
  });
});
