// Runs before every test file in the shared (non-isolated) fork pool. A file that selected
// the wasm backend would otherwise hand it to the next file in the same process, whose
// collection-time code (a describe body, a module-level fixture) would then run on wasm
// while its beforeAll selects cpu. Every file starts on cpu, as a fresh process does once
// a backend has been chosen.
import * as tf from '@tensorflow/tfjs';

await tf.setBackend('cpu');
