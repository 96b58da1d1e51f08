// A numbers experiment small enough for tests that run it several times: every prefix source
// that keeps state between steps (the fixed set's order, the λ coin, on-policy sampling).
export function tinyNumbers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny-numbers',
    world: 'numbers',
    seeds: 2,
    rootSeed: 3,
    model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
    pretrain: { steps: 30, batchSize: 32, learningRate: 0.01 },
    teacher: { name: 'animal-fine-tune', target: 'owl', steps: 10, batchSize: 32, learningRate: 0.01 },
    distill: { steps: 6, batchSize: 16, learningRate: 0.01, fixedSetSize: 40, probeEvery: 3 },
    arms: [
      { name: 'same-fixed-tokens', student: 'same-init', channel: { prefix: 'teacher-fixed', signal: 'tokens' } },
      { name: 'same-student-pg', student: 'same-init', channel: { prefix: 'student', signal: 'pg' } },
      { name: 'cross-mix-relabel', student: 'cross-init', channel: { prefix: 'mix', signal: 'relabel', lambda: 0.5 } },
    ],
    ...overrides,
  };
}

/**
 * The smallest persona-teacher numbers file for schema tests: one same-init arm on `channel`,
 * the distill block's settings merged over a short default. Parses as is with a valid channel.
 */
export function tinyPersonaFile(channel: Record<string, unknown>, distill: Record<string, unknown> = {}) {
  return {
    name: 'tiny-numbers',
    world: 'numbers',
    seeds: 2,
    model: { kind: 'gpt', layers: 1, dModel: 16, heads: 2 },
    pretrain: { steps: 40, batchSize: 32, learningRate: 0.01, personas: { fraction: 0.5 } },
    teacher: { name: 'animal-persona', target: 'owl' },
    distill: { steps: 8, batchSize: 16, learningRate: 0.01, fixedSetSize: 32, ...distill } as Record<string, unknown>,
    arms: [{ name: 'a', student: 'same-init', channel }],
    claims: [] as Record<string, unknown>[],
  };
}
