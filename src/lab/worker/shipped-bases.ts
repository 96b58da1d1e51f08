// The numbers world's bases in the page: the checkpoints shipped in bases/, bundled with the
// page and fetched from its own origin, read member by member as the CLI reads them (a base of
// 1 or 2 seeds comes from the members of the shipped 3-seed ones: models/base-pieces.ts).
import type { LmBase } from '../../../students/index.js';
import { memberParams, membersFrom } from '../../models/base-pieces.js';
import { decodeCheckpoint, modelConfigHash } from '../../models/checkpoint.js';
import type { LmFamily } from '../../models/lm.js';
import { assembleParams, type LmConfig } from '../../worlds/lm/lm-factory.js';
import { baseCacheKey, baseCandidates, plannedNumbersBases } from '../../worlds/numbers/base-keys.js';
import type { NumbersExperiment } from '../../worlds/numbers/schema.js';

export type LabBases = Partial<Record<LmBase, { family: LmFamily; config: LmConfig }>>;

/** Reads the bases `exp` needs from `files` (file name → URL). Throws one line when one is not shipped. */
export async function shippedBases(exp: NumbersExperiment, files: Readonly<Record<string, string>>): Promise<LabBases> {
  // Each file is fetched once, however many bases take members from it.
  const fetched = new Map<string, Uint8Array>();
  const fetchOnce = async (name: string): Promise<void> => {
    if (fetched.has(name)) return;
    const r = await fetch(files[name]!);
    if (!r.ok) throw new Error(`base ${name}: the page could not fetch it (HTTP ${r.status}); rebuild the page with npm run build:lab`);
    fetched.set(name, new Uint8Array(await r.arrayBuffer()));
  };
  const out: LabBases = {};
  for (const b of plannedNumbersBases(exp)) {
    const key = baseCacheKey(exp, b.config, b.firstSeed);
    const whole = { key, firstSeed: b.firstSeed, members: exp.seeds };
    const sources = membersFrom(b.firstSeed, exp.seeds, [whole, ...baseCandidates(exp, b.config)], (name) => Object.hasOwn(files, name));
    if (sources === null) throw new Error(`the lab has no shipped base for seeds ${b.firstSeed}–${b.firstSeed + exp.seeds - 1} of this pretraining; the lab starts from bases/, made with experiments/demo.json`);
    const expected = { kind: key.kind, configHash: modelConfigHash(key.kind, key.modelConfig) };
    for (const file of new Set(sources.map((s) => s.file))) await fetchOnce(file);
    const params = memberParams(sources, (file) => decodeCheckpoint(file, fetched.get(file)!, expected));
    out[b.name] = { family: assembleParams(b.config, params), config: b.config };
  }
  return out;
}
