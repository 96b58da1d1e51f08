// A worker thread of the bench's "members on worker threads" figure: it trains its share of an
// M-member MLP family (members firstMember…) on its own core. Protocol: build and warm up, post
// 'ready'; then on every message run one step and post the ms it took.
import '../src/run/native-backend.js';
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../src/engine/backend.js';
import { mlpFamilyStep } from './mlp-family-step.js';

export interface MemberWorkerData {
  members: number;
  firstMember: number;
  warmup: number;
}

const port = parentPort!;
const job = workerData as MemberWorkerData;
await selectBackend('wasm');
const family = mlpFamilyStep(job.members, job.firstMember);
for (let i = 0; i < job.warmup; i++) family.step();
family.sync();
port.on('message', () => {
  const t0 = performance.now();
  family.step();
  family.sync();
  port.postMessage(performance.now() - t0);
});
port.postMessage('ready');
