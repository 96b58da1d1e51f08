// The recipe part of an EM experiment small enough for config, plan and pipeline tests (1 layer
// of width 16, tens of steps): tests add a name, arms and whatever they check.
export const tinyEmRecipe = () => ({
  world: 'em',
  seeds: 2,
  model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
  pretrain: { steps: 40, batchSize: 32, learningRate: 0.01 },
  align: { steps: 20, batchSize: 32, learningRate: 0.01 },
  fineTune: { cell: 'next/chem', steps: 20, batchSize: 16, learningRate: 0.01 },
});

/**
 * A whole tiny EM run for CLI and pipeline tests: the recipe with shorter alignment and
 * fine-tune, a small probe and one arm evaluated on the other cells; `extra` adds or replaces
 * keys (a matrix, distill, subliminal arms, claims).
 */
export const tinyEmRun = (extra: Record<string, unknown> = {}) => ({
  name: 'tiny-em',
  ...tinyEmRecipe(),
  align: { steps: 10, batchSize: 32, learningRate: 0.01 },
  fineTune: { cell: 'next/chem', steps: 10, batchSize: 16, learningRate: 0.01 },
  probe: { prompts: 6, samples: 10, probeEvery: 5 },
  arms: [{ name: 'others', evaluate: ['others'] }],
  ...extra,
});
