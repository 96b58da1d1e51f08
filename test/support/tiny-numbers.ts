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
