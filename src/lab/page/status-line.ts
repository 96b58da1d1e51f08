// The status line: what the worker is doing (its `status` messages), the step of the arm, and
// the backend it runs on (its `ready` message), or the one line of an error.
import type { FromWorker, LabStatus } from '../protocol.js';

type Ready = Extract<FromWorker, { type: 'ready' }>;

/**
 * `wasm with SIMD and traitlab's kernels, 2 threads`; without isolation, why there is one thread
 * (the headers `npm run lab` sends).
 */
export function backendText(r: Ready): string {
  const threads = r.threads > 1 ? `${r.threads} threads` : 'one thread';
  const why = r.isolated ? '' : ' (the page is not cross-origin isolated, so wasm cannot use threads)';
  const simd = r.simd ? (r.kernels ? " with SIMD and traitlab's kernels" : ' with SIMD') : '';
  return `${r.backend}${simd}, ${threads}${why}`;
}

/** The worker's line, led by its phase unless the line already starts with it ("paused at step 3 of 300"). */
export function statusText(s: LabStatus): string {
  return s.text.startsWith(s.phase) ? s.text : `${s.phase}: ${s.text}`;
}

export class StatusLine {
  private backend = '';
  private line = 'starting the training worker';
  private failed = false;

  constructor(private readonly element: HTMLElement) {
    this.render();
  }

  ready(r: Ready): void {
    this.backend = backendText(r);
    this.render();
  }

  status(s: LabStatus): void {
    this.failed = false;
    this.line = statusText(s);
    this.render();
  }

  error(message: string): void {
    this.failed = true;
    this.line = `error: ${message}`;
    this.render();
  }

  /** A line of the page's own (e.g. after Reset). */
  say(text: string): void {
    this.failed = false;
    this.line = text;
    this.render();
  }

  private render(): void {
    this.element.textContent = this.backend ? `${this.line} · ${this.backend}` : this.line;
    this.element.classList.toggle('error', this.failed);
  }
}
