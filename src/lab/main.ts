// The lab page: one training worker, the status line, the world tabs and one world's panel at a
// time (numbers or MNIST). The worker does all the training (tfjs, wasm); the page only draws
// what it posts. `#world=mnist&…` in the address shows the MNIST panel, no world the numbers
// one; `?single-thread` keeps wasm on one thread even where the page is cross-origin isolated,
// to compare.
import type { LabWorld } from './experiment-json.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { byId } from './page/dom.js';
import { MnistPanel } from './page/mnist-panel.js';
import { NumbersPanel } from './page/numbers-panel.js';
import type { LabPanel, PanelContext } from './page/panel.js';
import { StatusLine } from './page/status-line.js';
import { WorldTabs } from './page/tabs.js';
import { configFromHash, mnistConfigFromHash, worldFromHash } from './url-state.js';
import './style.css';

const worker = new Worker(new URL('./worker/lab-worker.ts', import.meta.url), { type: 'module' });
const status = new StatusLine(byId(document, 'status'));
const host = byId(document, 'panels');

/** The worker's `ready`, kept for a panel shown after it came. */
let ready: Extract<FromWorker, { type: 'ready' }> | undefined;
const panels = new Map<LabWorld, LabPanel>();
let current: LabPanel | undefined;

const ctx: PanelContext = {
  post: (message: ToWorker) => worker.postMessage(message),
  status,
  imported(result) {
    show(result.world);
    panels.get(result.world)!.applyImport(result);
  },
};

/** A new panel of the world, its settings from `hash` ('' for the defaults), with the link's notices about them. */
function makePanel(world: LabWorld, hash: string): { panel: LabPanel; notices: string[] } {
  if (world === 'mnist') {
    const { config, notices } = mnistConfigFromHash(hash);
    return { panel: new MnistPanel(ctx, config), notices };
  }
  const { config, notices } = configFromHash(hash);
  return { panel: new NumbersPanel(ctx, config), notices };
}

/** The world's panel, made on first use. */
function panelOf(world: LabWorld, hash: string): { panel: LabPanel; notices: string[] } {
  const made = panels.get(world);
  if (made) return { panel: made, notices: [] };
  const fresh = makePanel(world, hash);
  panels.set(world, fresh.panel);
  return fresh;
}

/** Shows the world's panel: the shown one's run is dropped (the worker resets), and the new one writes its settings into the URL. */
function show(world: LabWorld, hash = '', notices: readonly string[] = []): void {
  if (current?.world === world) return;
  current?.deactivate();
  const { panel, notices: linkNotices } = panelOf(world, hash);
  current = panel;
  host.replaceChildren(panel.element);
  tabs.select(world);
  panel.activate([...notices, ...linkNotices]);
  if (ready) panel.receive(ready);
}

const tabs = new WorldTabs(byId(document, 'world-tabs'), (world) => show(world));
const linked = worldFromHash(location.hash);
show(linked.world, location.hash, linked.notices);
worker.postMessage({ type: 'init', singleThreaded: new URLSearchParams(location.search).has('single-thread') } satisfies ToWorker);

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'ready') {
    ready = message;
    status.ready(message);
  }
  current?.receive(message);
});
// The worker script failed to load or threw outside its own error handling.
worker.addEventListener('error', (event) => {
  event.preventDefault();
  current?.receive({ type: 'error', message: `the training worker failed: ${event.message || 'it could not be loaded'}` });
});
worker.addEventListener('messageerror', () => current?.receive({ type: 'error', message: 'a message from the training worker could not be read' }));
