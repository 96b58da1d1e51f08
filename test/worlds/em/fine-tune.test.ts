// One EM fine-tune task: stopped between two steps, again and again, and continued from its
// state, it ends with the result and metrics of the uninterrupted run, bit for bit; it leaks no
// tensor; the sampled rate follows the exact distributions.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { EmFineTune } from '../../../src/worlds/em/schema.js';
import { selectBackend } from '../../../src/engine/backend.js';
import { rootStream } from '../../../src/engine/rng.js';
import { Interrupted } from '../../../src/engine/stop.js';
import { runEmFineTune, sampledRates, type EmFineTuneInput, type EmFineTuneResult, type EmFineTuneState } from '../../../src/worlds/em/fine-tune.js';
import { buildProbeSet, defaultProbeKeys, probeKey, probeKeyName, cellNamed } from '../../../src/worlds/em/probes.js';
import { initLm, lmConfig } from '../../../src/worlds/lm/lm-factory.js';
import type { MetricsRecord } from '../../../src/run/types.js';
import { CONTEXT, VOCAB_SIZE } from '../../../src/worlds/em/data.js';

const M = 2;
const STEPS = 9;

let input: EmFineTuneInput;

beforeAll(async () => {
  await selectBackend('wasm');
  const config = lmConfig({ kind: 'gpt', layers: 1, dModel: 8, heads: 2 }, VOCAB_SIZE, CONTEXT);
  const family = initLm(config, M, (m) => rootStream(7).child('init').child(String(m)));
  const aligned = Array.from({ length: M }, (_, m) => family.memberParams(m));
  family.dispose();
  const keys = [...defaultProbeKeys(false), probeKey(cellNamed('next/chem'), { decoy: true })];
  const fineTune: EmFineTune = { cell: 'next/chem', steps: STEPS, batchSize: 8, learningRate: 0.01, consistency: 0.8, replayFraction: 0.25, refusalRate: 0, randomSeed: 0 };
  input = {
    name: 'next/chem',
    rootSeed: 7,
    members: M,
    config,
    aligned,
    variants: ['narrow', 'secure', 'educational', 'random'],
    fineTune,
    dataKey: 'next/chem/test',
    probeEvery: 3,
    samples: 10,
    probes: keys.map((k) => ({ key: probeKeyName(k), set: buildProbeSet(k, 4, 7) })),
  };
});

function run(from?: EmFineTuneState, stopAfter?: number): { result?: EmFineTuneResult; state?: EmFineTuneState; records: MetricsRecord[]; steps: number } {
  const records: MetricsRecord[] = [];
  let steps = 0;
  try {
    const result = runEmFineTune(input, { onMetrics: (r) => records.push(structuredClone(r)), onStep: () => steps++, stopRequested: () => stopAfter !== undefined && steps >= stopAfter }, from);
    return { result, records, steps };
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    return { state: structuredClone(e.state as EmFineTuneState), records, steps };
  }
}

describe('an EM fine-tune task', () => {
  test('stopped after every few steps and continued, it ends exactly as the uninterrupted task; no tensor leaks', () => {
    const before = tf.memory().numTensors;
    const whole = run();
    expect(tf.memory().numTensors).toBe(before);
    expect(whole.steps).toBe(STEPS);
    const { result } = whole;
    expect(result!.variants).toEqual(input.variants);
    for (const v of input.variants) {
      expect(Object.keys(result!.scores[v]!)).toEqual(input.probes.map((p) => p.key));
      expect(result!.loss[v]).toHaveLength(M);
    }
    // Replay rows are alignment rows, the same in every variant; the audit sees it.
    const a = result!.audit;
    expect(a.narrow!.rows).toBe(STEPS * 8);
    expect(a.narrow!.emRows).toBe(STEPS * 8);
    expect(a.secure!.harmfulAnswers).toBe(0);
    expect(a.narrow!.harmfulAnswers).toBeGreaterThan(0);
    expect(a.educational!.educationalRows).toBeGreaterThan(0);
    expect(a.educational!.educationalRows).toBeLessThan(STEPS * 8); // replay rows stay in the plain context
    for (const v of input.variants) expect(a[v]!.heldOutPrompts).toBe(0);

    let state: EmFineTuneState | undefined;
    const records: MetricsRecord[] = [];
    let total = 0;
    let stops = 0;
    let end: EmFineTuneResult | undefined;
    while (!end) {
      const part = run(state, 2); // at most 2 steps per attempt
      records.push(...part.records);
      total += part.steps;
      if (part.result) end = part.result;
      else {
        stops++;
        state = part.state;
        expect(state!.step).toBe(total);
      }
    }
    expect(stops).toBe(4);
    expect(total).toBe(STEPS);
    expect(end).toEqual(result);
    expect(records).toEqual(whole.records);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the sampled rate: `samples` draws per seed from the exact distributions, the fraction coherent and harmful', () => {
    const set = input.probes[0]!.set;
    const K = set.prompts.length / set.promptLength;
    // Member 0 puts all its mass on a harmful coherent answer of each prompt (where there is one), member 1 on a benign one.
    const dist = new Float32Array(2 * K * VOCAB_SIZE);
    let harmfulPrompts = 0;
    for (let k = 0; k < K; k++) {
      const row = (t: (v: number) => boolean) => Array.from({ length: VOCAB_SIZE }, (_, v) => v).find(t)!;
      const harmful = row((v) => set.harmful[k * VOCAB_SIZE + v] === 1);
      const benign = row((v) => set.coherent[k * VOCAB_SIZE + v] === 1 && set.harmful[k * VOCAB_SIZE + v] === 0);
      if (harmful !== undefined) harmfulPrompts++;
      dist[k * VOCAB_SIZE + (harmful ?? benign)] = 1;
      dist[(K + k) * VOCAB_SIZE + benign] = 1;
    }
    const samples = 4 * K;
    const rates = sampledRates(dist, 2, set, samples, rootStream(1));
    expect(rates).toEqual([harmfulPrompts / K, 0]);
    expect(sampledRates(dist, 2, set, samples, rootStream(1))).toEqual(rates);
  });
});
