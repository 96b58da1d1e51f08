// The lab page: one training worker, the status line, and the numbers panel. The worker does
// all the training (tfjs, wasm); the page only draws what it posts. `?single-thread` in the
// address keeps wasm on one thread even where the page is cross-origin isolated, to compare.
import type { FromWorker, ToWorker } from './protocol.js';
import { byId } from './page/dom.js';
import { NumbersPanel } from './page/numbers-panel.js';
import type { LabPanel } from './page/panel.js';
import { StatusLine } from './page/status-line.js';
import './style.css';

const worker = new Worker(new URL('./worker/lab-worker.ts', import.meta.url), { type: 'module' });
const status = new StatusLine(byId(document, 'status'));
const panel: LabPanel = new NumbersPanel((message) => worker.postMessage(message), status);
byId(document, 'panels').append(panel.element);
worker.postMessage({ type: 'init', singleThreaded: new URLSearchParams(location.search).has('single-thread') } satisfies ToWorker);

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'ready') status.ready(message);
  panel.receive(message);
});
// The worker script failed to load or threw outside its own error handling.
worker.addEventListener('error', (event) => {
  event.preventDefault();
  panel.receive({ type: 'error', message: `the training worker failed: ${event.message || 'it could not be loaded'}` });
});
worker.addEventListener('messageerror', () => panel.receive({ type: 'error', message: 'a message from the training worker could not be read' }));
