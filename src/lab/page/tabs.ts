// The world tabs (#tab-numbers, #tab-mnist): which world's panel is shown. Choosing one is
// main.ts's business (it drops the run and swaps the panels); the tabs only show the choice.
import type { LabWorld } from '../experiment-json.js';
import { el } from './dom.js';

const LABELS: Record<LabWorld, string> = {
  numbers: 'Numbers: a favourite animal',
  mnist: 'MNIST, live',
};

export class WorldTabs {
  private readonly buttons = new Map<LabWorld, HTMLButtonElement>();

  /** Fills `nav` with one tab per world. */
  constructor(nav: HTMLElement, choose: (world: LabWorld) => void) {
    nav.setAttribute('role', 'tablist');
    for (const [world, label] of Object.entries(LABELS) as [LabWorld, string][]) {
      const button = el('button', { id: `tab-${world}`, type: 'button', role: 'tab', class: 'tab', 'aria-controls': `${world}-panel` }, label);
      button.addEventListener('click', () => choose(world));
      this.buttons.set(world, button);
      nav.append(button);
    }
  }

  select(world: LabWorld): void {
    for (const [w, button] of this.buttons) button.setAttribute('aria-selected', String(w === world));
  }
}
