// Backend choice: tfjs-node when its native binding loads, else wasm, else the pure-JS cpu
// backend. The choice is made once per process and recorded in the run manifest.
import * as tf from '@tensorflow/tfjs';
import { fastBatchMatMulOnWasm } from './wasm-batch-matmul.js';
import { sumMiddleAxesOnWasm } from './wasm-middle-sum.js';
import { shareBuffersOnWasm } from './wasm-shared-buffers.js';
import { fastTransposeOnWasm } from './wasm-transpose.js';

export const BACKEND_CHOICES = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** Thrown when an explicitly requested backend cannot be loaded here. */
export class BackendUnavailableError extends Error {}

/**
 * Loads the native backend (tfjs-node), where there can be one: Node provides it
 * (src/run/native-backend.ts, imported by the CLI and the worker threads); in a web page there
 * is none, and `node` is unavailable.
 */
let loadNative: (() => Promise<unknown>) | null = null;

export function provideNativeBackend(load: () => Promise<unknown>): void {
  loadNative = load;
}

async function tryNode(): Promise<boolean> {
  if (loadNative === null) return false;
  try {
    await loadNative();
    return tf.findBackend('tensorflow') !== undefined && (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    shareBuffersOnWasm();
    sumMiddleAxesOnWasm();
    fastTransposeOnWasm();
    fastBatchMatMulOnWasm();
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function tryCpu(): Promise<boolean> {
  return tf.setBackend('cpu');
}

const loaders: Record<BackendName, () => Promise<boolean>> = { node: tryNode, wasm: tryWasm, cpu: tryCpu };

/** Sets the tfjs backend and returns the one that is active. */
export async function selectBackend(choice: BackendChoice): Promise<BackendName> {
  // Production mode: no debug warnings, among them the cpu backend's banner suggesting
  // tfjs-node (traitlab's own --backend help says what each backend is).
  tf.env().set('PROD', true);
  const order: BackendName[] = choice === 'auto' ? ['node', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    if (await loaders[name]()) {
      await tf.ready();
      return name;
    }
  }
  throw new BackendUnavailableError(
    choice === 'node'
      ? 'backend "node" is not available: @tensorflow/tfjs-node is not installed or its native binding failed to load; use --backend auto, wasm or cpu'
      : `backend "${choice}" is not available here; use --backend auto`,
  );
}

/** Which backends load in this process (used by the benchmark). Leaves `cpu` active. */
export async function availableBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const name of ['node', 'wasm', 'cpu'] as const) if (await loaders[name]()) found.push(name);
  await tf.setBackend('cpu');
  return found;
}

export function activeBackend(): BackendName {
  const b = tf.getBackend();
  return b === 'tensorflow' ? 'node' : (b as BackendName);
}
