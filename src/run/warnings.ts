// Warnings travel with the metrics: a stage that warns writes `{stage, step, warning}` to
// metrics.jsonl, so a warning from a worker thread, a checkpointed arm or a shard arrives the
// same way as its losses. The run gathers them into summary.json's `warnings`, present only
// when there is one (a normal run's summary stays as it was).
import type { MetricsRecord } from './types.js';

/** An onWarning for a training loop whose records belong to `stage`. */
export const warnInto =
  (onMetrics: (r: MetricsRecord) => void, stage: string) =>
  (step: number, warning: string): void =>
    onMetrics({ stage, step, warning });

/** The warning of a metrics record, or null. */
export const warningOf = (r: MetricsRecord): string | null => (typeof r.warning === 'string' ? r.warning : null);

/** `summary` with its `warnings` (read from metrics.jsonl), or unchanged when there are none. */
export function withWarnings<S extends object>(summary: S, warnings: readonly string[]): S & { warnings?: string[] } {
  return warnings.length === 0 ? summary : { ...summary, warnings: [...warnings] };
}

/**
 * The warnings in a metrics.jsonl text, in order. The summary takes them from the file, so that
 * a resumed run (whose stages before the arms may not log again) and a merge of shards list
 * what an uninterrupted, unsharded run lists.
 */
export function warningsInMetrics(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"warning"')) continue; // most lines: no parse
    const warning = warningOf(JSON.parse(line) as MetricsRecord);
    if (warning !== null) out.push(warning);
  }
  return out;
}
