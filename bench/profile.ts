// `npm run bench -- --profile`: where a gpt training step's time goes on wasm. The bench's gpt
// step (bench.ts's GPT_TRAIN, M = 1 and M = 8) runs under tf.profile: per kernel kind, how many
// run per step, their total time and share of the step; per matmul form, its FLOPs and GFLOP/s.
// What no kernel accounts for (op dispatch, tape, JS) is the step's wall time minus the kernels'.
// Then the step on traitlab's own wasm kernels (src/engine/wasm-kernels: the matmuls, attention's batched
// matmuls, sums over middle axes, transposes, Adam's update, GELU, LayerNorm) against tfjs-wasm's own, timed interleaved in this
// one process (medians), and whether both leave the parameters bit-identical after the same steps.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/engine/backend.js';
import { setWasmKernelsEnabled, wasmKernelsActive } from '../src/engine/wasm-kernels/instance.js';
import type { GptConfig } from '../src/models/gpt-config.js';
import { gptTrainStep, type GptStep } from './gpt-train-step.js';
import { median, timeInterleaved } from './timing.js';

/** The matmul kernels and how each is reached. */
const MATMUL_FORMS: Record<string, string> = {
  // traitlab's product with its kernels on, XNNPACK's with them off
  TraitlabMatMul2d: '2-D x·W',
  TraitlabMemberMatMul: 'x·W, every member at once',
  TraitlabGemm: 'gradients dY·Wᵀ and Xᵀ·dY',
  // attention's products: traitlab's SIMD kernel with its kernels on, tfjs-wasm's loop with them off
  BatchMatMul: 'batched, attention',
};

type KernelRecord = { name: string; kernelTimeMs: number | { error: string }; inputShapes: number[][]; outputShapes: number[][] };

type KindRow = { name: string; count: number; ms: number; flops: number };

/** FLOPs of one matmul from its shapes: out [..., m, n] from a of m·k per batch: 2·size(a)·n. */
function matmulFlops(k: KernelRecord): number {
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const out = k.outputShapes[0]!;
  return 2 * size(k.inputShapes[0]!) * out[out.length - 1]!;
}

/** Kernel time per kind over `steps` profiled steps, and the steps' median wall time. */
async function profileSteps(step: GptStep, steps: number): Promise<{ kinds: KindRow[]; wallMs: number }> {
  const byName = new Map<string, KindRow>();
  const walls: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const info = await tf.profile(() => {
      step.step();
      step.sync();
    });
    walls.push(performance.now() - t0);
    for (const k of info.kernels as unknown as KernelRecord[]) {
      // a custom gradient's forward is listed under the enclosing scope's name (no kernel's),
      // its time including the kernels inside it, which are listed too: counted once, as those
      if (tf.getKernel(k.name, 'wasm') === undefined) continue;
      const row = byName.get(k.name) ?? { name: k.name, count: 0, ms: 0, flops: 0 };
      row.count++;
      row.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      if (k.name in MATMUL_FORMS) row.flops += matmulFlops(k);
      byName.set(k.name, row);
    }
  }
  const kinds = [...byName.values()].map((r) => ({ ...r, count: r.count / steps, ms: r.ms / steps, flops: r.flops / steps }));
  return { kinds: kinds.sort((a, b) => b.ms - a.ms), wallMs: median(walls) };
}

function printProfile(title: string, kinds: KindRow[], wallMs: number): void {
  const kernelMs = kinds.reduce((s, k) => s + k.ms, 0);
  const ops = kinds.reduce((s, k) => s + k.count, 0);
  console.log(`${title}: ${wallMs.toFixed(1)} ms per profiled step (wall), ${ops.toFixed(0)} kernels, ${kernelMs.toFixed(1)} ms inside them; the other ${(wallMs - kernelMs).toFixed(1)} ms is dispatch, tape and JS`);
  console.log('kernel                          per step     ms   share   GFLOP/s  form');
  for (const k of kinds.slice(0, 14)) {
    const gflops = k.flops > 0 ? ((k.flops / k.ms) * 1e-6).toFixed(2) : '';
    console.log(`${k.name.padEnd(30)}  ${k.count.toFixed(0).padStart(8)}  ${k.ms.toFixed(2).padStart(5)}  ${((100 * k.ms) / wallMs).toFixed(1).padStart(5)} %  ${gflops.padStart(8)}  ${MATMUL_FORMS[k.name] ?? ''}`);
  }
  const rest = kinds.slice(14);
  if (rest.length > 0) console.log(`(${rest.length} more kinds: ${rest.reduce((s, k) => s + k.ms, 0).toFixed(2)} ms)`);
}

function parametersOf(step: GptStep): Float32Array[] {
  return step.variables().map((v) => v.dataSync() as Float32Array);
}

function sameBits(x: Float32Array[], y: Float32Array[]): boolean {
  return x.length === y.length && x.every((a, i) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(y[i]!.buffer, y[i]!.byteOffset, y[i]!.byteLength)));
}

export async function profileSection(config: GptConfig, batch: number, members: number, learningRate: number): Promise<void> {
  await selectBackend('wasm');
  console.log(`traitlab bench --profile: the gpt Adam step on wasm (vocabulary ${config.vocabSize}, context ${config.context}, ${config.layers} layers, d ${config.dModel}, ${config.heads} heads, batch ${batch}); tfjs ${tf.version.tfjs}`);
  console.log(`traitlab's wasm kernels (every 2-D and per-member matmul with its gradients, attention's batched matmuls, middle-axis sums, transposes, Adam's update, GELU, LayerNorm) run here: ${wasmKernelsActive() ? 'yes' : 'no (this wasm has no SIMD)'}`);
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false); // the profiler would read every output back
  // warm the JIT and wasm tier-up on both paths first, so the first profile is not the slowest
  for (const ours of [true, false]) {
    setWasmKernelsEnabled(ours);
    const step = gptTrainStep(config, 1, batch, learningRate);
    for (let i = 0; i < 5; i++) step.step();
    step.sync();
    step.dispose();
  }
  for (const M of [1, members]) {
    for (const ours of [true, false]) {
      setWasmKernelsEnabled(ours);
      const step = gptTrainStep(config, M, batch, learningRate);
      try {
        for (let i = 0; i < 2; i++) step.step();
        const { kinds, wallMs } = await profileSteps(step, 5);
        console.log('');
        printProfile(`M = ${M}, on ${ours ? "traitlab's wasm kernels" : "tfjs-wasm's own kernels"}`, kinds, wallMs);
      } finally {
        step.dispose();
      }
    }
  }
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', true);
  console.log('');
  for (const M of [1, members]) {
    // the same step twice from the same init, one on each kernel, timed round-robin
    const reps = M === 1 ? { warmup: 2, timed: 20 } : { warmup: 1, timed: 8 };
    const steps = [true, false].map((ours) => {
      const step = gptTrainStep(config, M, batch, learningRate);
      const toggled = (f: () => void) => () => {
        setWasmKernelsEnabled(ours);
        f();
      };
      return { reps, step: toggled(() => step.step()), sync: () => step.sync(), dispose: () => step.dispose(), inner: step };
    });
    try {
      const [oursMs, stockMs] = timeInterleaved(steps);
      const identical = sameBits(parametersOf(steps[0]!.inner), parametersOf(steps[1]!.inner));
      console.log(
        `M = ${M}: step ${oursMs!.toFixed(1)} ms on traitlab's wasm kernels, ${stockMs!.toFixed(1)} ms on tfjs-wasm's own: ${(stockMs! / oursMs!).toFixed(2)}× faster; parameters after ${reps.warmup + reps.timed} steps each bit-identical: ${identical ? 'yes' : 'NO'}`,
      );
    } finally {
      steps.forEach((s) => s.dispose());
      setWasmKernelsEnabled(true);
    }
  }
}
