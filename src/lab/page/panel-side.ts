// The side column every panel has: its settings form, the buttons, the one line of a failed
// import (#import-error) and the notices of a link or a file (#notice).
import type { ConfigError } from '../../config/errors.js';
import { el } from './dom.js';
import { importExperimentFile, type LabImport } from './import-file.js';

export class PanelSide {
  readonly element: HTMLElement;
  private readonly notice = el('ul', { id: 'notice', class: 'notice', role: 'status' });
  private readonly importError = el('p', { id: 'import-error', class: 'import-error', role: 'alert' });

  /** `buttons`: the run buttons, then any more (the metrics download). */
  constructor(form: HTMLElement, ...buttons: HTMLElement[]) {
    this.element = el('div', { class: 'side' }, el('h2', {}, 'Switches'), form, ...buttons, this.importError, this.notice);
    this.showNotices([]);
    this.importError.hidden = true;
  }

  showNotices(lines: readonly string[]): void {
    this.notice.replaceChildren(...lines.map((line) => el('li', {}, line)));
    this.notice.hidden = lines.length === 0;
  }

  /** Reads and checks the file: on any problem, one line in #import-error and nothing else changes; else `imported` has it. */
  async importFile(file: File, imported: (result: LabImport) => void): Promise<void> {
    let result: LabImport;
    try {
      result = await importExperimentFile(file);
    } catch (e) {
      this.importError.textContent = (e as ConfigError).message;
      this.importError.hidden = false;
      return;
    }
    this.importError.textContent = '';
    this.importError.hidden = true;
    imported(result);
  }
}
