// The lab's Web Worker: it owns tfjs (wasm, its binaries from the page's own origin) and runs
// one world's experiment at a time, driven by the page's messages (protocol.ts). The page never
// trains, so it never freezes.
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend.js';
import { wasmKernelsActive } from '../../engine/wasm-kernels/instance.js';
import { baseFiles } from '../base-files.js';
import type { FromWorker, ToWorker } from '../protocol.js';
import { wasmPaths } from '../wasm-paths.js';
import { runNumbersInPage } from './numbers-run.js';
import { runMnistInPage } from './mnist-run.js';
import digitsUrl from 'virtual:mnist-digits';
import { Stepper } from './stepper.js';

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

let ready: Promise<void> | null = null;

/** Loads the backend once; `singleThreaded` keeps wasm on one thread even where the page could have more (to compare). */
function init(singleThreaded: boolean): Promise<void> {
  ready ??= (async () => {
    setWasmPaths(wasmPaths);
    if (singleThreaded) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    // tfjs-wasm defaults to half the cores (one thread on two); take them all, as the CLI does with its arms.
    else if (self.crossOriginIsolated) setThreadsCount(navigator.hardwareConcurrency || 1);
    const backend = await selectBackend('wasm');
    post({ type: 'ready', backend, threads: getThreadsCount(), simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean, kernels: wasmKernelsActive(), isolated: self.crossOriginIsolated });
  })().catch((e: Error) => {
    post({ type: 'error', message: `the wasm backend did not load: ${e.message}` });
    throw e;
  });
  return ready;
}

let stepper: Stepper | null = null;

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  stepper?.stop();
  const mine = new Stepper(message.play);
  stepper = mine;
  // Every message of this run carries its number: the page drops those of runs it has left.
  const postRun = (m: FromWorker) => post({ ...m, run: message.run });
  try {
    await init(false);
    if (message.world === 'numbers') await runNumbersInPage(message.experiment, baseFiles, mine, postRun);
    else await runMnistInPage(message.experiment, digitsUrl, mine, postRun);
  } catch (e) {
    if (!mine.isStopped) postRun({ type: 'error', message: (e as Error).message.split('\n')[0]! });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      void init(m.singleThreaded).catch(() => {});
      break;
    case 'start':
      void start(m);
      break;
    case 'reset':
      stepper?.stop();
      stepper = null;
      break;
    default:
      stepper?.set(m.type);
  }
};
