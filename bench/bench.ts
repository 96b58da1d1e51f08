// `npm run bench [-- --quick] [--peer]`: training-step speed of the MNIST MLP on every backend
// that loads here, and the two ratios the design rests on — what the members axis saves per
// member, and what the transpose-free matMul gradient saves on wasm. Every figure is a median of
// timed steps after warm-up, and every ratio compares figures measured in this one run: speed
// claims are ratios from here, never timed tests. --peer then runs bench/peer/workloads.py (the
// same workloads in PyTorch, when a python3 with torch is present) and prints traitlab/PyTorch.
// Last, memory: live tensors, bytes and RSS over a long run (a leak climbs), and peak RSS.
// `npm run bench -- --e2e [--experiment <name>]` runs instead only whole experiments, traitlab
// then its PyTorch peer script, for wall time and peak RSS (bench/e2e.ts).
import '../src/run/native-backend.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, selectBackend, type BackendName } from '../src/engine/backend.js';
import { adam } from '../src/engine/fused-adam.js';
import { rootStream } from '../src/engine/rng.js';
import { crossEntropy } from '../src/distill/logit-losses.js';
import { drawMemberInit } from '../src/models/mlp.js';
import { matMul2d } from '../src/models/matmul.js';
import { GptFamily } from '../src/models/gpt.js';
import { gptTrainStep } from './gpt-train-step.js';
import { median, timeInterleaved, type Reps, type Stepper } from './timing.js';
import type { GptConfig } from '../src/models/gpt-config.js';
import { oneHotF32 } from '../src/models/layers.js';
import { packageRoot } from '../src/run/package-root.js';
import { Worker } from 'node:worker_threads';
import type { MemberWorkerData } from './member-worker.js';
import { BATCH, hostBatch, LEARNING_RATE, mlpFamilyStep, SIZES } from './mlp-family-step.js';
import { findTorchPython, fmt, parsePeerJson, peerTable, PEER_INSTALL, PEER_SCRIPT, pythonCandidates, type TraitlabFigures } from './peer.js';
import { BENCH_USAGE, parseBenchArgs, type BenchArgs } from './args.js';
import { e2eSection, resolveExperiment } from './e2e.js';
import { curveSection } from './curve.js';
import { profileSection } from './profile.js';

const MEMBERS = 20;
const ALL_BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu'];

const parsed = parseBenchArgs(process.argv.slice(2));
if ('error' in parsed) {
  console.error(`${parsed.error}\n${BENCH_USAGE}`);
  process.exit(2);
}
const args: BenchArgs = parsed;
const e2eExperiments = (args.e2e ? args.experiments : []).map((arg) => {
  const e = resolveExperiment(arg);
  if (typeof e === 'string') {
    console.error(`${e}\n${BENCH_USAGE}`);
    process.exit(2);
  }
  return e;
});
const quick = !args.e2e && args.quick;
const peer = !args.e2e && args.peer;

/** Every traitlab figure the peer table compares, per backend. */
const figures: TraitlabFigures = { mlp_m1: {}, mlp_m20: {}, gpt_m1: {}, gpt_m8: {}, sample_kv: {}, sample_full: {} };

/** Timed steps per measurement; the pure-JS cpu backend takes seconds per M = 20 step. */
function repsFor(backend: BackendName, members: number): Reps {
  const slow = backend === 'cpu' && members > 1;
  if (quick) return slow ? { warmup: 1, timed: 1 } : { warmup: 3, timed: 5 };
  return slow ? { warmup: 1, timed: 3 } : { warmup: 3, timed: backend === 'cpu' ? 10 : 30 };
}

/** The library's path: an MlpFamily of M members, cross-entropy on the 10 class logits, Adam. */
function familyStepper(backend: BackendName, members: number): Stepper {
  return { reps: repsFor(backend, members), ...mlpFamilyStep(members) };
}

/**
 * The family's M members split over `workers` worker threads (each trains its share as one
 * family on its own core): median wall ms per step of the whole family, all threads at once.
 */
async function membersOnWorkers(members: number, workers: number, reps: Reps): Promise<number> {
  const script = new URL('./member-worker.js', import.meta.url);
  const share = Math.ceil(members / workers);
  const threads = Array.from({ length: workers }, (_, w) => {
    const data: MemberWorkerData = { members: Math.min(share, members - w * share), firstMember: w * share, warmup: reps.warmup };
    return new Worker(script, { workerData: data });
  });
  // One listener per worker for the whole run: each awaited reply settles the pending promise.
  const pending = threads.map(() => ({ resolve: (_: unknown) => {}, reject: (_: unknown) => {} }));
  threads.forEach((w, i) => {
    w.on('message', (m) => pending[i]!.resolve(m));
    w.on('error', (e) => pending[i]!.reject(e));
  });
  const reply = (i: number) => new Promise<unknown>((resolve, reject) => (pending[i] = { resolve, reject }));
  try {
    await Promise.all(threads.map((_, i) => reply(i))); // built and warmed up
    // Each worker runs one step per message; a round is timed until every worker is done.
    const times: number[] = [];
    for (let r = 0; r < reps.timed; r++) {
      const t0 = performance.now();
      await Promise.all(
        threads.map((w, i) => {
          const done = reply(i);
          w.postMessage('go');
          return done;
        }),
      );
      times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

type MatMul = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * One plain M = 1 MLP (2D weights, no members axis) whose matmuls are `mm`: the same step with
 * tfjs's stock matMul (its gradient uses transposeA/transposeB) or with matMul2d (on wasm, the
 * transpose-free gradient). Only the matmul differs between the two.
 */
function plainStepper(backend: BackendName, mm: MatMul): Stepper {
  const rng = rootStream(1).child('bench');
  const init = drawMemberInit(SIZES, rng.child('init').child('0'));
  const ws = init.weights.map((w, l) => tf.variable(tf.tensor2d(w, [SIZES[l]!, SIZES[l + 1]!])));
  const bs = init.biases.map((b) => tf.variable(tf.tensor1d(b)));
  const variables = [...ws, ...bs];
  const optimizer: tf.Optimizer = adam(LEARNING_RATE);
  const { x, y } = hostBatch(rng.child('batch'));
  return {
    reps: repsFor(backend, 1),
    step: () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          let h: tf.Tensor2D = tf.tensor2d(x, [BATCH, SIZES[0]!]);
          ws.forEach((w, l) => {
            h = tf.add(mm(h, w as tf.Tensor2D), bs[l]!);
            if (l < ws.length - 1) h = tf.relu(h);
          });
          const classLogits = tf.slice(h, [0, 0], [-1, 10]).expandDims(0) as tf.Tensor3D; // [1, B, 10]
          return tf.sum(crossEntropy(classLogits, tf.tensor1d(y, 'int32'))) as tf.Scalar;
        }, variables);
        optimizer.applyGradients(grads);
      }),
    sync: () => void bs.at(-1)!.dataSync(),
    dispose: () => {
      optimizer.dispose();
      variables.forEach((v) => v.dispose());
    },
  };
}

interface Row {
  backend: BackendName;
  m1: number;
  mTotal: number;
  mPerMember: number;
  memberRatio: number;
  stockOverTransposeFree: number | null;
  stockMs: number | null;
  transposeFreeMs: number | null;
}

function printTable(rows: Row[]): void {
  const header = ['backend', 'M=1 ms/step', `M=${MEMBERS} ms/step`, `M=${MEMBERS} ms/member`, `per-member M=${MEMBERS} / M=1`, 'stock / transpose-free (M=1)'];
  const body = rows.map((r) => [
    r.backend,
    fmt(r.m1),
    fmt(r.mTotal),
    fmt(r.mPerMember),
    r.memberRatio.toFixed(2),
    r.stockOverTransposeFree === null ? '—' : `${r.stockOverTransposeFree.toFixed(2)}× (${fmt(r.stockMs!)} vs ${fmt(r.transposeFreeMs!)} ms)`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

// ---------------------------------------------------------------------------------------------
// The tiny transformer (GptFamily): an Adam step of next-token cross-entropy at M = 1 and per
// member at M = 8, and sampling with the KV cache against re-running the whole prefix per token.

const GPT_TRAIN: GptConfig = { vocabSize: 37, context: 12, layers: 2, dModel: 64, heads: 4 };
const GPT_SAMPLE: GptConfig = { ...GPT_TRAIN, context: 21 }; // a 5-token prompt + 16 new tokens
const GPT_BATCH = 64;
const GPT_MEMBERS = 8;
const SAMPLE_ROWS = 256;
const SAMPLE_PROMPT = 5;
const SAMPLE_NEW = 16;

type GptWork = 'train1' | 'trainM' | 'kv' | 'full';

/** The pure-JS cpu backend takes ~1.4 s per M = 1 step and ~35 s per full re-forward sampling run. */
function gptRepsFor(backend: BackendName, work: GptWork): Reps {
  if (backend === 'cpu') return work === 'train1' ? { warmup: 1, timed: quick ? 1 : 2 } : { warmup: 0, timed: 1 };
  const slow = work === 'trainM' || work === 'full';
  if (quick) return { warmup: 1, timed: slow ? 2 : 3 };
  return slow ? { warmup: 1, timed: 5 } : { warmup: 2, timed: 10 };
}

function gptTrainStepper(backend: BackendName, members: number): Stepper {
  return { reps: gptRepsFor(backend, members === 1 ? 'train1' : 'trainM'), ...gptTrainStep(GPT_TRAIN, members, GPT_BATCH, LEARNING_RATE) };
}

/** One sampling run of SAMPLE_ROWS × SAMPLE_NEW tokens (M = 1), with or without the KV cache. */
function gptSampleStepper(backend: BackendName, cached: boolean): Stepper {
  const rng = rootStream(1).child('bench-gpt-sample');
  const init = rng.child('init');
  const model = GptFamily.init(GPT_SAMPLE, 1, (m) => init.child(String(m)));
  const data = rng.child('prompts');
  const prompts = Int32Array.from({ length: SAMPLE_ROWS * SAMPLE_PROMPT }, () => data.int(GPT_SAMPLE.vocabSize));
  const opts = () => ({ maxNew: SAMPLE_NEW, temperature: 1, rng: rng.child('draws') });
  return {
    reps: gptRepsFor(backend, cached ? 'kv' : 'full'),
    // sample() reads every step's probabilities to the host, so it has finished when it returns
    step: () => void (cached ? model.sample(prompts, SAMPLE_ROWS, SAMPLE_PROMPT, opts()) : model.sampleFullForward(prompts, SAMPLE_ROWS, SAMPLE_PROMPT, opts())),
    sync: () => {},
    dispose: () => model.dispose(),
  };
}

interface GptRow {
  backend: BackendName;
  m1: number;
  mTotal: number;
  kv: number;
  full: number;
}

async function gptSection(backends: BackendName[]): Promise<void> {
  console.log('');
  console.log(
    `GptFamily: layers ${GPT_TRAIN.layers}, d_model ${GPT_TRAIN.dModel}, heads ${GPT_TRAIN.heads}, V ${GPT_TRAIN.vocabSize}; Adam step of next-token cross-entropy, context ${GPT_TRAIN.context}, batch ${GPT_BATCH}; sampling ${SAMPLE_ROWS} rows × ${SAMPLE_NEW} new tokens after a ${SAMPLE_PROMPT}-token prompt (context ${GPT_SAMPLE.context}), with the KV cache and with a full re-forward per token`,
  );
  const rows: GptRow[] = [];
  for (const backend of backends) {
    await selectBackend(backend);
    const t0 = performance.now();
    const timeGroup = (steppers: Stepper[]) => {
      try {
        return timeInterleaved(steppers);
      } finally {
        steppers.forEach((s) => s.dispose());
      }
    };
    const [m1, mTotal] = timeGroup([gptTrainStepper(backend, 1), gptTrainStepper(backend, GPT_MEMBERS)]) as [number, number];
    const [kv, full] = timeGroup([gptSampleStepper(backend, true), gptSampleStepper(backend, false)]) as [number, number];
    rows.push({ backend, m1, mTotal, kv, full });
    figures.gpt_m1[backend] = m1;
    figures.gpt_m8[backend] = mTotal;
    figures.sample_kv[backend] = kv;
    figures.sample_full[backend] = full;
    const reps = (w: GptWork) => `${gptRepsFor(backend, w).warmup} + ${gptRepsFor(backend, w).timed}`;
    console.log(
      `  ${backend}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (warm-up + timed: M=1 ${reps('train1')}, M=${GPT_MEMBERS} ${reps('trainM')}, KV ${reps('kv')}, full ${reps('full')})`,
    );
  }
  console.log('');
  const header = ['backend', 'M=1 ms/step', `M=${GPT_MEMBERS} ms/step`, `M=${GPT_MEMBERS} ms/member`, `per-member M=${GPT_MEMBERS} / M=1`, 'sample KV ms', 'sample full ms', 'full / KV'];
  const body = rows.map((r) => [
    r.backend,
    fmt(r.m1),
    fmt(r.mTotal),
    fmt(r.mTotal / GPT_MEMBERS),
    (r.mTotal / GPT_MEMBERS / r.m1).toFixed(2),
    fmt(r.kv),
    fmt(r.full),
    `${(r.full / r.kv).toFixed(1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  console.log('');
  console.log('full / KV: how much faster the KV cache samples than re-running the whole prefix for every new token (same tokens, same rng).');
}

// ---------------------------------------------------------------------------------------------
// Memory: does a long run grow? The gpt training step (M = 8) and KV-cache sampling run for many
// steps; live tensors, tfjs's byte count and the process RSS are read after the first block and
// after the last. A leak shows as tensors or bytes that climb with the step count; RSS may move
// a little as the allocator settles. Peak RSS is the process's own high-water mark so far.

const MEMORY_BLOCKS = quick ? 3 : 5;
const MEMORY_BLOCK_STEPS = quick ? 10 : 40;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function memorySection(backend: BackendName): Promise<void> {
  await selectBackend(backend);
  console.log('');
  console.log(`memory (${backend}): ${MEMORY_BLOCKS} blocks of ${MEMORY_BLOCK_STEPS} steps each; live tfjs tensors and bytes, and the process RSS, after every block`);
  for (const [label, make] of [
    [`gpt train step, M=${GPT_MEMBERS}`, () => gptTrainStepper(backend, GPT_MEMBERS)],
    [`sample ${SAMPLE_ROWS}×${SAMPLE_NEW}, KV cache`, () => gptSampleStepper(backend, true)],
  ] as const) {
    const stepper = make();
    const reads: { tensors: number; bytes: number; rss: number }[] = [];
    try {
      for (let b = 0; b < MEMORY_BLOCKS; b++) {
        for (let i = 0; i < MEMORY_BLOCK_STEPS; i++) stepper.step();
        stepper.sync();
        const m = tf.memory();
        reads.push({ tensors: m.numTensors, bytes: m.numBytes, rss: process.memoryUsage().rss });
      }
    } finally {
      stepper.dispose();
    }
    const first = reads[0]!;
    const last = reads.at(-1)!;
    const steps = MEMORY_BLOCKS * MEMORY_BLOCK_STEPS;
    console.log(
      `  ${label}: tensors ${reads.map((r) => r.tensors).join(' → ')} (${last.tensors - first.tensors >= 0 ? '+' : ''}${last.tensors - first.tensors} over steps ${MEMORY_BLOCK_STEPS}–${steps}); tfjs bytes ${mib(first.bytes)} → ${mib(last.bytes)}; RSS ${mib(first.rss)} → ${mib(last.rss)}`,
    );
  }
  console.log(`  peak RSS of this process so far: ${mib(process.resourceUsage().maxRSS * 1024)}`);
}

/** A python3 that imports torch, or null; looked for before the traitlab measurements start. */
function torchPython(): string | null {
  return findTorchPython(pythonCandidates(process.env), (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

/** Runs the PyTorch workloads (after traitlab's, never alongside) and prints the ratio table. */
function peerSection(python: string): void {
  console.log('');
  const script = join(packageRoot(), PEER_SCRIPT);
  console.log(`PyTorch peer: ${python} ${PEER_SCRIPT}${quick ? ' --quick' : ''} (same workloads, sizes and rep counts; run after the traitlab figures above)`);
  const t0 = performance.now();
  const r = spawnSync(python, [script, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    console.log(`PyTorch peer failed (${r.error?.message ?? `exit ${r.status}`}); traitlab's figures above stand alone.`);
    return;
  }
  let result;
  try {
    result = parsePeerJson(r.stdout);
  } catch (e) {
    console.log(`${(e as Error).message}; traitlab's figures above stand alone.`);
    return;
  }
  console.log(`torch ${result.torch}, BLAS ${result.blas}; ${result.threads} threads (and 1); done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log('');
  for (const l of peerTable(figures, result)) console.log(l);
  console.log('');
  const p = result.ms;
  console.log(
    `PyTorch's own ratios (${result.threads} thr): full / KV ${(p.sample_full / p.sample_kv).toFixed(1)}×; per-member M=${MEMBERS} / M=1 (MLP) ${(p.mlp_m20 / MEMBERS / p.mlp_m1).toFixed(2)}; per-member M=${GPT_MEMBERS} / M=1 (gpt) ${(p.gpt_m8 / GPT_MEMBERS / p.gpt_m1).toFixed(2)}`,
  );
  console.log('best / PyTorch: how many times longer traitlab takes than PyTorch for the same work (< 1: traitlab is faster).');
}

const noTorchLine = `PyTorch was not found (no python3 here imports torch; TRAITLAB_PYTHON=… picks one): install it with \`${PEER_INSTALL}\`. traitlab's own figures follow.`;

async function main(): Promise<void> {
  if (args.e2e) return e2eSection(e2eExperiments, torchPython(), noTorchLine);
  if (args.curve) return curveSection(torchPython(), noTorchLine);
  if (args.profile) return profileSection(GPT_TRAIN, GPT_BATCH, GPT_MEMBERS, LEARNING_RATE);
  const started = performance.now();
  const python = peer ? torchPython() : null;
  if (peer && python === null) console.log(noTorchLine);
  const backends = await availableBackends();
  const missing = ALL_BACKENDS.filter((b) => !backends.includes(b));
  console.log(`traitlab bench${quick ? ' (--quick)' : ''}: MLP ${SIZES.join('-')}, Adam step (cross-entropy on 10 class logits), batch ${BATCH}`);
  console.log(`tfjs ${tf.version.tfjs}, node ${process.version}, ${process.platform}/${process.arch}; all figures measured in one run: medians of timed steps after warm-up, timed round-robin across the configurations of a backend`);
  console.log(`${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} at start (other work on the machine skews absolute figures more than ratios)`);
  console.log(`backends: ${backends.join(', ')}${missing.length ? `; unavailable here: ${missing.join(', ')}` : ''}`);
  const rows: Row[] = [];
  for (const backend of backends) {
    await selectBackend(backend);
    const t0 = performance.now();
    const steppers = [familyStepper(backend, 1), familyStepper(backend, MEMBERS)];
    // On wasm, also the stock matMul gradient against the transpose-free one, M = 1.
    if (backend === 'wasm') steppers.push(plainStepper(backend, (a, b) => tf.matMul(a, b)), plainStepper(backend, matMul2d));
    let ms: number[];
    try {
      ms = timeInterleaved(steppers);
    } finally {
      steppers.forEach((s) => s.dispose());
    }
    const [m1, mTotal] = [ms[0]!, ms[1]!];
    figures.mlp_m1[backend] = m1;
    figures.mlp_m20[backend] = mTotal;
    const stockMs = ms[2] ?? null;
    const transposeFreeMs = ms[3] ?? null;
    rows.push({
      backend,
      m1,
      mTotal,
      mPerMember: mTotal / MEMBERS,
      memberRatio: mTotal / MEMBERS / m1,
      stockOverTransposeFree: stockMs !== null && transposeFreeMs !== null ? stockMs / transposeFreeMs : null,
      stockMs,
      transposeFreeMs,
    });
    const r1 = repsFor(backend, 1);
    const rM = repsFor(backend, MEMBERS);
    console.log(
      `  ${backend}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (M=1: ${r1.warmup} warm-up + ${r1.timed} timed steps; M=${MEMBERS}: ${rM.warmup} + ${rM.timed})`,
    );
  }
  console.log('');
  printTable(rows);
  console.log('');
  console.log(
    `per-member ratio < 1: the members axis makes each member cheaper than training it alone. stock / transpose-free > 1: tfjs's own matMul gradient (transposed matmuls) is that much slower on wasm than matMul2d's.`,
  );
  // wasm is single-threaded under Node: the other cores are reached by worker threads, each
  // training its share of the members (as the pipeline runs independent arms).
  const wasmRow = rows.find((r) => r.backend === 'wasm');
  const cores = availableParallelism();
  if (wasmRow && cores > 1) {
    await selectBackend('wasm');
    const workers = Math.min(cores, MEMBERS);
    const wall = await membersOnWorkers(MEMBERS, workers, repsFor('wasm', MEMBERS));
    console.log(
      `wasm, M=${MEMBERS} on ${workers} worker threads (${Math.ceil(MEMBERS / workers)} members each, one core each): ${fmt(wall)} ms/step wall, ${fmt(wall / MEMBERS)} ms/member; per-member / M=1 on one thread ${(wall / MEMBERS / wasmRow.m1).toFixed(2)}`,
    );
  }
  await gptSection(backends);
  await memorySection(backends[0]!);
  if (python !== null) peerSection(python);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s, load average ${loadavg()[0]!.toFixed(2)} at end`);
}

await main();
