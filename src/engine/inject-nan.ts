// Test-only fault injection: TRAITLAB_INJECT_NAN=<stage>@<step> (e.g. `teacher@20`) makes the
// logged loss of that stage at that step NaN, so that a test can drive a numeric fault through
// the whole CLI without a config that produces one for real. Unset, it changes nothing.
// Read through globalThis: the core runs in a browser too, where there is no process.

function target(): { stage: string; step: number } | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const spec = env?.TRAITLAB_INJECT_NAN;
  const at = spec?.lastIndexOf('@') ?? -1;
  if (!spec || at < 0) return null;
  return { stage: spec.slice(0, at), step: Number(spec.slice(at + 1)) };
}

/** `losses` with member 0's value made NaN when TRAITLAB_INJECT_NAN names this stage and step. */
export function injectNan(stage: string, step: number, losses: number[]): number[] {
  const t = target();
  return t && t.stage === stage && t.step === step ? [NaN, ...losses.slice(1)] : losses;
}
