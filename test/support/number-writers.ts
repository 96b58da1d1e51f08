// Channel tests need teachers and students that write well-formed number rows, or the filter
// drops nearly everything: `members` tiny gpt members (different inits from `seed`, the same
// numbers documents) pretrained for 60 steps, returned as parameter sets (the family is freed).
import { GptFamily } from '../../src/models/gpt.js';
import type { GptConfig } from '../../src/models/gpt-config.js';
import { rootStream } from '../../src/engine/rng.js';
import { trainLm } from '../../src/worlds/lm/lm-train.js';
import { CONTEXT, mixBatch, PAD, uniformAnswers } from '../../src/worlds/numbers/data.js';

export function pretrainedNumberWriters(config: GptConfig, members: number, seed: number): Float32Array[][] {
  const family = GptFamily.init(config, members, (m) => rootStream(seed).child('init').child(String(m)));
  const data = rootStream(seed).child('data');
  const B = 16;
  try {
    trainLm(family, {
      label: 'pretrain',
      steps: 60,
      learningRate: 0.02,
      batch: B,
      rowLength: CONTEXT,
      pad: PAD,
      rows: () => {
        const rows = mixBatch(B, { numbersFraction: 1, jitter: 0, answerWeights: uniformAnswers() }, data);
        const out = new Int32Array(members * rows.length); // [members · B, CONTEXT]: every member the same documents
        for (let m = 0; m < members; m++) out.set(rows, m * rows.length);
        return out;
      },
      logEvery: 60,
      onLog: () => {},
    });
    return Array.from({ length: members }, (_, m) => family.memberParams(m));
  } finally {
    family.dispose();
  }
}
