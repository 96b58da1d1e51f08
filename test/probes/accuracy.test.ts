// Accuracy per member from the first numClasses logits, across chunk boundaries.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/backend.js';
import { MlpFamily, type MemberInit } from '../../src/models/mlp.js';
import { accuracyPerMember } from '../../src/probes/accuracy.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// One linear layer 3 → 4. Member 0: logits = (x0, x1, x2, 100·x0) — the 4th "auxiliary" logit
// would win if it were not excluded. Member 1: logits = (x1, x2, x0, 0), a relabelling.
const identityPlusAux: MemberInit = {
  weights: [Float32Array.from([1, 0, 0, 100, 0, 1, 0, 0, 0, 0, 1, 0])],
  biases: [new Float32Array(4)],
};
const rotated: MemberInit = {
  weights: [Float32Array.from([0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0])],
  biases: [new Float32Array(4)],
};

describe('accuracyPerMember', () => {
  // 7 one-hot-ish images: argmax of x is the label for images 0..4, wrong for 5..6.
  const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 0]);
  const hot = [0, 1, 2, 0, 1, 0, 1]; // the largest input per image
  const images = Float32Array.from(hot.flatMap((h) => [0, 1, 2].map((i) => (i === h ? 1 : 0.1 * i))));

  it('counts argmax over the class logits only, per member, across chunks', () => {
    const model = new MlpFamily([3, 4], [identityPlusAux, rotated]);
    try {
      for (const chunk of [2048, 3, 1]) {
        const acc = accuracyPerMember(model, images, labels, 3, chunk);
        expect(acc.length).toBe(2);
        expect(acc[0]).toBeCloseTo(5 / 7, 12);
        // member 1's logits are (x1, x2, x0): a hot input h predicts class (h + 2) mod 3
        const predicted1 = hot.map((h) => (h + 2) % 3);
        expect(acc[1]).toBeCloseTo(predicted1.filter((p, i) => p === labels[i]).length / 7, 12);
      }
      // with the auxiliary logit counted it wins wherever x0 is hot: only images 1, 2, 4 stay right
      expect(accuracyPerMember(model, images, labels, 4)[0]).toBeCloseTo(3 / 7, 12);
    } finally {
      model.dispose();
    }
  });
});
