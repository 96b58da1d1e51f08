// The run's metrics as `traitlab run` writes them: every record the worker posts, kept in order,
// downloadable as metrics.jsonl (one JSON object a line) to read, plot, or compare with the CLI's
// run of the exported file — byte for byte on the same backend.
import type { MetricsRecord } from '../../engine/metrics-record.js';
import { el } from './dom.js';
import { download } from './file-io.js';

export class MetricsLog {
  private records: MetricsRecord[] = [];
  readonly button = el('button', { id: 'download-metrics', type: 'button', title: "download this run's metrics.jsonl (as traitlab run writes it)", disabled: '' }, 'Metrics');

  constructor(fileName: () => string) {
    this.button.addEventListener('click', () => download(fileName(), this.text()));
  }

  add(record: MetricsRecord): void {
    this.records.push(record);
    this.button.removeAttribute('disabled');
  }

  clear(): void {
    this.records = [];
    this.button.setAttribute('disabled', '');
  }

  /** metrics.jsonl: JSON.stringify of each record, one a line (the CLI's serialisation of the same plain arrays). */
  text(): string {
    return this.records.map((r) => `${JSON.stringify(r)}\n`).join('');
  }
}
