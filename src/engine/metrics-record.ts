// One line of metrics.jsonl, in a file of its own: the pipeline's types and the arm stage's
// control both speak of it, and neither imports the other for it.

/** One line of metrics.jsonl: a logged optimizer step (or an evaluation) of one arm. */
export interface MetricsRecord {
  /** Which stage wrote it: `teacher`, or the student arm's name. */
  stage: string;
  /** Optimizer step within the stage (1-based). */
  step: number;
  /** Per-member values, member i = seed i. */
  [metric: string]: unknown;
}
