// Training loops are generators that yield after every step, so a caller that must stay
// responsive between steps (the lab's Web Worker) can pull them one step at a time; everything
// else runs them to the end with drain.

/** Runs a generator to its end and returns what it returns. */
export function drain<R>(steps: Generator<unknown, R>): R {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
