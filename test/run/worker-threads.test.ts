// Student arms (and the teacher's seeds, in parts) give the same results, and the same metrics in
// the same order, whether they run in this thread or on worker threads (the workers run the
// build: npm test builds first).
// The worker count proves the threaded run really used workers: without dist/ both runs would
// be in-thread and equal for nothing.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mnistExperimentSchema as experimentSchema } from '../../src/worlds/mnist/schema.js';
import { selectBackend } from '../../src/engine/backend.js';
import { armWorkersStarted, forgetWorkerBackendRefusal } from '../../src/run/pool/arm-pool.js';
import { runExperiment } from '../../src/registry/run-experiment.js';
import type { MetricsRecord } from '../../src/run/types.js';
import type { MnistRunSummary as RunSummary } from '../../src/worlds/mnist/summary.js';
import { tinyExperiment } from '../support/cli.js';

async function run(jobs: number): Promise<{ summary: RunSummary; metrics: MetricsRecord[]; progress: number[] }> {
  const exp = experimentSchema.parse(
    tinyExperiment({
      distill: { noiseImages: 512, epochs: 2, batchSize: 128, learningRate: 0.003 },
      arms: [
        { name: 'teacher', kind: 'teacher' },
        { name: 'a', kind: 'student', student: 'same-init', logits: 'aux' },
        { name: 'b', kind: 'student', student: 'cross-init', logits: 'all' },
        { name: 'c', kind: 'student', student: 'same-init', logits: 'all' },
      ],
    }),
  );
  const metrics: MetricsRecord[] = [];
  const progress: number[] = [];
  const summary = (await runExperiment(exp, { onMetrics: (r) => metrics.push(r), onProgress: (d) => progress.push(d) }, { jobs })) as RunSummary;
  return { summary, metrics, progress };
}

describe('student arms on worker threads', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('match the in-thread run exactly: summary, metrics and their order', async () => {
    const before = armWorkersStarted();
    const inThread = await run(1);
    expect(armWorkersStarted(), 'jobs 1 runs the arms in this thread').toBe(before);
    const threaded = await run(2);
    expect(armWorkersStarted() - before, "jobs 2 runs the teacher's 2 seeds as 2 parts and each student arm on a worker thread (is dist/ built?)").toBe(2 + 3);
    expect(threaded.summary).toEqual(inThread.summary);
    expect(threaded.metrics).toEqual(inThread.metrics);
    // Every step is reported once, counting up to the total.
    const total = inThread.progress.length;
    expect(threaded.progress).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // The students did learn something different from each other (the check is not vacuous).
    const [, a, b] = inThread.summary.arms;
    expect(a!.accuracy).not.toEqual(b!.accuracy);
    expect(inThread.metrics.filter((r) => r.stage === 'b' && 'kl' in r).length).toBeGreaterThan(0);
  });

  describe('a worker that cannot load the run\'s backend', () => {
    const saved = process.env.TRAITLAB_INJECT_WORKER_BACKEND;
    afterEach(() => {
      if (saved === undefined) delete process.env.TRAITLAB_INJECT_WORKER_BACKEND;
      else process.env.TRAITLAB_INJECT_WORKER_BACKEND = saved;
      vi.restoreAllMocks();
      forgetWorkerBackendRefusal();
    });

    it('the arms run in the main thread on the same backend: same results, one warning line, no crash', async () => {
      const inThread = await run(1);
      process.env.TRAITLAB_INJECT_WORKER_BACKEND = 'fail'; // as tfjs-node does in threads (tfjs#2079)
      const lines: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((text: string | Uint8Array) => (lines.push(String(text)), true));
      const before = armWorkersStarted();
      const fellBack = await run(2);
      expect(armWorkersStarted() - before, "one worker per lane tried (the teacher's parts), then none (not for the students either)").toBe(2);
      expect(fellBack.summary).toEqual(inThread.summary);
      expect(fellBack.metrics).toEqual(inThread.metrics);
      expect(lines).toEqual([
        'traitlab: warning: worker threads could not load the wasm backend (Module did not self-register (injected by TRAITLAB_INJECT_WORKER_BACKEND)); the remaining arms run one at a time in the main thread, on wasm (pass --jobs 1 to start that way)\n',
      ]);
    });
  });
});
