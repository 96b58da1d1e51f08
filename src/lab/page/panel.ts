// What main.ts needs of a world's panel: its element, and the worker's messages while it is the
// panel shown. The numbers panel is one; an MNIST panel (mnist-panel.ts) will be another.
import type { FromWorker, ToWorker } from '../protocol.js';

export interface LabPanel {
  readonly world: 'numbers' | 'mnist';
  readonly element: HTMLElement;
  receive(message: FromWorker): void;
}

/** How a panel talks to the worker. */
export type PostToWorker = (message: ToWorker) => void;
