// `npm run bench`'s command line, as a pure function (tested in test/bench/args.test.ts): the
// per-step sections (--quick, --peer), the end-to-end peer benchmark alone (--e2e), which
// takes tens of minutes and so runs nothing else, the cost curve alone (--curve), or the gpt
// step's profile alone (--profile).
import { E2E_EXPERIMENTS } from './peer-e2e.js';

export const BENCH_USAGE = 'usage: npm run bench [-- --quick] [--peer]  |  npm run bench -- --e2e [--experiment <name | file.json>]  |  npm run bench -- --curve  |  npm run bench -- --profile';

/** experiments: names in experiments/ or paths to experiment files, as given. */
export type BenchArgs = { e2e: false; quick: boolean; peer: boolean; curve: boolean; profile: boolean } | { e2e: true; experiments: string[] };

/** The parsed arguments, or an error line for anything else. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | { error: string } {
  let quick = false;
  let peer = false;
  let e2e = false;
  let curve = false;
  let profile = false;
  let experiment: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--peer') peer = true;
    else if (a === '--e2e') e2e = true;
    else if (a === '--curve') curve = true;
    else if (a === '--profile') profile = true;
    else if (a === '--experiment') {
      experiment = argv[++i];
      if (experiment === undefined || experiment.startsWith('-')) return { error: '--experiment needs a name, e.g. --experiment mnist-aux-logits' };
    } else return { error: `unknown argument ${JSON.stringify(a)}` };
  }
  if (e2e && (quick || peer)) return { error: '--e2e runs alone; give --quick and --peer without it' };
  if (curve && (e2e || quick || peer)) return { error: '--curve runs alone (and with PyTorch when it is installed); give --quick, --peer and --e2e without it' };
  if (profile && (e2e || quick || peer || curve)) return { error: '--profile runs alone; give --quick, --peer, --e2e and --curve without it' };
  if (!e2e && experiment !== undefined) return { error: '--experiment picks an --e2e experiment; give --e2e too' };
  return e2e ? { e2e, experiments: experiment === undefined ? [...E2E_EXPERIMENTS] : [experiment] } : { e2e, quick, peer, curve, profile };
}
