// What main.ts needs of a world's panel, and what a panel gets from main.ts. One panel is on the
// page at a time (so the run buttons, #notice and #import-error keep their ids whichever it is);
// main.ts swaps them when a tab is chosen or a file of the other world is imported.
import type { LabWorld } from '../experiment-json.js';
import type { FromWorker, ToWorker } from '../protocol.js';
import type { LabImport } from './import-file.js';
import type { StatusLine } from './status-line.js';

export interface LabPanel {
  readonly world: LabWorld;
  readonly element: HTMLElement;
  /** The worker's messages, while this panel is shown. */
  receive(message: FromWorker): void;
  /** Shown (again): its settings into the URL hash, `notices` (about the link) in #notice, no run. */
  activate(notices: readonly string[]): void;
  /** Hidden: the worker drops the run and the views clear. */
  deactivate(): void;
  /** A file of this panel's world, imported in either panel: its settings replace the current ones. */
  applyImport(result: LabImport): void;
}

/** How a panel talks to the worker. */
export type PostToWorker = (message: ToWorker) => void;

/** What main.ts gives every panel. */
export interface PanelContext {
  post: PostToWorker;
  status: StatusLine;
  /** A file was imported and checked: main.ts shows its world's panel and hands it the file. */
  imported(result: LabImport): void;
}
