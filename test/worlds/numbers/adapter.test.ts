// LoRA arms in numbers experiment files: the `adapter` field (defaults, ranges, one-line errors
// naming its path), and a tiny run where a LoRA arm and a full fine-tuning arm share their
// channel: both start at the same base (identical step-0 probes), the LoRA arm trains at its own
// learning rate through its adapters only, and the summary records the adapter.
import { restoreCacheEnvAfterAll } from '../../support/cache-env.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend.js';
import { parseExperiment } from '../../../src/registry/load-experiment.js';
import { runExperiment } from '../../../src/registry/run-experiment.js';
import { checkRegistryNames } from '../../../src/registry/worlds.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import type { NumbersRunSummary } from '../../../src/worlds/numbers/experiment.js';
import type { NumbersExperiment } from '../../../src/worlds/numbers/schema.js';
import { tempDir } from '../../support/cli.js';
import { problem } from '../../support/problem.js';
import { tinyNumbers } from '../../support/tiny-numbers.js';

const channel = { prefix: 'student', signal: 'reverse-kl' };
const withArms = (...arms: Record<string, unknown>[]) => tinyNumbers({ arms });
const lora = (adapter: Record<string, unknown>, student = 'same-init') => withArms({ name: 'lora', student, channel, adapter });

describe('the adapter field', () => {
  test('absent: full fine-tuning, the file parses as before; present: defaults filled', () => {
    const full = parseExperiment(withArms({ name: 'full', student: 'same-init', channel }), {}, checkRegistryNames) as NumbersExperiment;
    expect(full.arms[0]).toEqual({ name: 'full', student: 'same-init', channel });
    const exp = parseExperiment(lora({ kind: 'lora', rank: 4 }), {}, checkRegistryNames) as NumbersExperiment;
    expect(exp.arms[0]!.adapter).toEqual({ kind: 'lora', rank: 4, modules: ['q', 'k', 'v', 'o', 'mlp-in', 'mlp-out'] });
  });

  test('bad settings are one line naming the field', () => {
    expect(problem(lora({ kind: 'lora', rank: 17 }))).toBe("arms[0].adapter.rank: must be ≤ the student's dModel (16); a higher rank adds nothing");
    expect(problem(lora({ kind: 'lora', rank: 0 }))).toMatch(/^arms\[0\]\.adapter\.rank: /);
    expect(problem(lora({ kind: 'lora', rank: 2, alpha: 0 }))).toMatch(/^arms\[0\]\.adapter\.alpha: /);
    expect(problem(lora({ kind: 'lora', rank: 2, learningRate: 2 }))).toMatch(/^arms\[0\]\.adapter\.learningRate: /);
    expect(problem(lora({ kind: 'lora', rank: 2, modules: ['q', 'q'] }))).toBe('arms[0].adapter.modules: lists a module twice; list each once');
    expect(problem(lora({ kind: 'lora', rank: 2, modules: ['head'] }))).toBe('arms[0].adapter.modules[0]: invalid value "head"; use one of "q", "k", "v", "o", "mlp-in", "mlp-out"');
    expect(problem(lora({ kind: 'lora', rank: 2, dropout: 0.1 }))).toBe('arms[0].adapter.dropout: unknown key; remove it (allowed keys: kind, rank, alpha, modules, learningRate)');
    expect(problem(lora({ kind: 'dora', rank: 2 }))).toMatch(/^arms\[0\]\.adapter\.kind: /);
    const gru = { ...lora({ kind: 'lora', rank: 2 }, 'cross-arch'), crossArch: { kind: 'gru', hidden: 16, embedding: 8 } };
    expect(problem(gru)).toBe('arms[0].adapter: adapters sit on gpt students only; remove it or use a gpt student');
  });
});

describe('a tiny run with a LoRA arm beside a full fine-tuning arm', () => {
  restoreCacheEnvAfterAll();
  let summary: NumbersRunSummary;
  const metrics: MetricsRecord[] = [];
  beforeAll(async () => {
    await selectBackend('wasm');
    process.env.TRAITLAB_CACHE = tempDir('traitlab-lora-cache-');
    const exp = parseExperiment(
      withArms({ name: 'full', student: 'same-init', channel }, { name: 'lora', student: 'same-init', channel, adapter: { kind: 'lora', rank: 2, alpha: 4, learningRate: 0.05 } }),
      {},
      checkRegistryNames,
    );
    summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(structuredClone(r)), onProgress: () => {} })) as NumbersRunSummary;
  });

  test('both start at the same base: the step-0 probes are identical, the later ones are not', () => {
    const probes = (arm: string) => metrics.filter((r) => r.stage === arm && 'trait' in r);
    const strip = ({ stage: _, ...r }: MetricsRecord) => r;
    expect(strip(probes('lora')[0]!)).toEqual(strip(probes('full')[0]!));
    expect(probes('lora').at(-1)!.trait).not.toEqual(probes('full').at(-1)!.trait);
    // The adapters moved the student: its fidelity to the teacher changed from step 0.
    expect(probes('lora').at(-1)!.reverseKl).not.toEqual(probes('lora')[0]!.reverseKl);
  });

  test('the summary records the adapter of the LoRA arm only', () => {
    const [full, adapted] = summary.arms;
    expect(full!.adapter).toBeUndefined();
    expect(adapted!.adapter).toEqual({ kind: 'lora', rank: 2, alpha: 4, learningRate: 0.05, modules: ['q', 'k', 'v', 'o', 'mlp-in', 'mlp-out'] });
    expect(adapted!.audit.traitTokens).toBe(0);
    for (const x of adapted!.transfer) expect(Number.isFinite(x)).toBe(true);
  });
});
