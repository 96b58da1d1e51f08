// The names of a subliminal arm's task and metrics stages, apart from the task itself so that
// the report and the plan can read them without loading the channel (and tfjs).

/** What the arm pool and the run's checkpoint call a subliminal arm's task. */
export const subliminalTaskName = (name: string): string => `subliminal ${name}`;

/** The metrics stage of the arm's EM curve; its loss records are `<stage>:narrow` and `<stage>:secure`. */
export const subliminalStage = (name: string): string => `subliminal:${name}`;
