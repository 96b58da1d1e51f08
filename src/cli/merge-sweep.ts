// `traitlab merge` of sweep shards (`traitlab run <sweep file> --shard i/n`): every point's
// slices, one per shard that ran some of its arms, are merged as run shards are (merge-shards.ts:
// claims evaluated on the whole point, report.html from the merged files) into points/ of one
// sweep directory, and the sweep's summary.json, sweep.csv and report.html are written from
// them: byte for byte what the sweep run whole writes. It appears all at once or not at all.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { withClaims } from '../claims/run-claims.js';
import { ConfigError } from '../config/errors.js';
import { parseSweep } from '../registry/load-sweep.js';
import { runWorlds } from '../registry/run-worlds.js';
import { checkRegistryNames } from '../registry/worlds.js';
import { formatSweepTable } from '../report/sweep/sweep-table.js';
import { tryWriteReport } from '../report/write-report.js';
import { checkFinishedDir } from '../run/finished-dir.js';
import { mergeShards } from '../run/merge-shards.js';
import { assertOutLocation } from '../run/out-location.js';
import { canonicalJson, RunDir, writeFileAtomic } from '../run/run-dir.js';
import { readStoredRun } from '../run/stored-run.js';
import { checkSweepPoints, pointState, readSweepManifest, resolveSweepDir, type SweepManifest } from '../run/sweep-dir.js';
import type { RunSummaryBase } from '../run/types.js';
import { warningsInMetrics, withWarnings } from '../run/warnings.js';
import { pointRefs, writeSweepFiles } from './execute-sweep.js';
import type { CliIo } from './io.js';
import { shownPath } from './shown-path.js';
import { printWarning } from './warning-line.js';

interface SweepShard {
  given: string;
  dir: string;
  manifest: SweepManifest & { shard: NonNullable<SweepManifest['shard']> };
}

/** True when the first directory given is a sweep directory (merge then takes this path). */
export function isSweepDir(given: string, cwd: string): boolean {
  const dir = resolve(cwd, given);
  return existsSync(dir) && readSweepManifest(dir) !== null;
}

function readSweepShards(dirs: readonly string[], cwd: string): SweepShard[] {
  const shards = dirs.map((given) => {
    const dir = resolve(cwd, given);
    checkFinishedDir(given, dir, { verb: 'merge', holds: 'manifest.json and points/' });
    const m = readSweepManifest(dir);
    if (m === null) throw new ConfigError(given, 'is not a sweep directory (its manifest has no "sweep"); merge sweep shards with sweep shards only');
    if (!m.shard) throw new ConfigError(given, 'is not a shard (its manifest has no "shard"); merge joins the sweep directories of traitlab run --shard i/n');
    return { given, dir, manifest: m as SweepShard['manifest'] };
  });
  const first = shards[0]!;
  for (const r of shards.slice(1)) {
    if (canonicalJson(r.manifest.config) !== canonicalJson(first.manifest.config)) throw new ConfigError(r.given, `is a shard of a different sweep from ${first.given}; merge the shards of one sweep only`);
    if (r.manifest.backend !== first.manifest.backend) throw new ConfigError(r.given, `ran on ${r.manifest.backend} but ${first.given} on ${first.manifest.backend}; merge shards run on one backend (numbers differ across backends)`);
    if (r.manifest.shard.count !== first.manifest.shard.count) throw new ConfigError(r.given, `is shard ${r.manifest.shard.index}/${r.manifest.shard.count} but ${first.given} is shard ${first.manifest.shard.index}/${first.manifest.shard.count}; merge the shards of one --shard i/n split`);
  }
  const n = first.manifest.shard.count;
  const byIndex = new Map<number, SweepShard>();
  for (const r of shards) {
    const seen = byIndex.get(r.manifest.shard.index);
    if (seen) throw new ConfigError(r.given, `is shard ${r.manifest.shard.index}/${n}, given twice (also ${seen.given}); give each shard once`);
    byIndex.set(r.manifest.shard.index, r);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new ConfigError('shards', `${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((i) => `${i}/${n}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing; give all ${n} shards`);
  return Array.from({ length: n }, (_, i) => byIndex.get(i + 1)!);
}

export async function mergeSweep(dirs: readonly string[], out: string | undefined, io: CliIo): Promise<void> {
  const shards = readSweepShards(dirs, io.cwd);
  const first = shards[0]!;
  const plan = parseSweep(first.manifest.config, {}, checkRegistryNames);
  checkSweepPoints(first.manifest, plan.points.map((p) => p.label), first.given);
  const now = new Date();
  const dir = resolveSweepDir(plan.points[0]!.exp.name, plan.config, { cwd: io.cwd, out, now });
  assertOutLocation(dirname(dir), out !== undefined ? `--out ${out}` : shownPath(dir, io.cwd), 'give --out a folder you can write to');
  const root = RunDir.create(dir);
  let summary;
  try {
    for (const ref of pointRefs(plan)) {
      const parts = shards.filter((s) => pointState(join(s.dir, ref.dir)) === 'done').map((s) => join(s.given, ref.dir));
      if (parts.length === 0) throw new ConfigError('shards', `no shard holds point ${ref.label}; give the sweep directories every shard of the sweep wrote`);
      const merged = mergeShards(parts.map((p) => readStoredRun(p, io.cwd, { needMetrics: true }, runWorlds)), now);
      for (const w of merged.warnings) printWarning(io, `${ref.label}: ${w}; the merged numbers may not equal one run's`);
      const point = RunDir.create(join(root.partial, ref.dir));
      point.writeJson('manifest.json', merged.manifest);
      writeFileAtomic(point.path('metrics.jsonl'), merged.metricsText);
      point.writeJson('summary.json', withWarnings(withClaims(merged.exp, merged.summary as unknown as RunSummaryBase), warningsInMetrics(merged.metricsText)));
      const r = await tryWriteReport(point.partial);
      if (!r.ok) printWarning(io, `${ref.label}: report.html was not written (${r.error})`);
      point.commit();
    }
    const { shard: _shard, wallSeconds: _w, finishedAt: _f, ...rest } = first.manifest;
    const manifest = {
      ...rest,
      startedAt: shards.map((s) => s.manifest.startedAt).sort()[0],
      merged: { at: now.toISOString(), shards: shards.map((s) => ({ dir: s.dir, index: s.manifest.shard.index, startedAt: s.manifest.startedAt, finishedAt: s.manifest.finishedAt ?? null, wallSeconds: s.manifest.wallSeconds ?? null })) },
    };
    summary = await writeSweepFiles(root, plan, manifest, (o) => {
      if (!o.ok) printWarning(io, `report.html was not written (${o.error})`);
      else for (const w of o.warnings) printWarning(io, w);
    });
    root.commit();
  } catch (e) {
    root.abort();
    throw e;
  }
  io.err(`merged ${shards.length} shard${shards.length === 1 ? '' : 's'} of sweep ${plan.points[0]!.exp.name} (${plan.points.length} points) → ${shownPath(dir, io.cwd)}`);
  io.out(formatSweepTable(summary, shownPath(dir, io.cwd)));
  if (existsSync(join(dir, 'report.html'))) io.out(`report: ${shownPath(join(dir, 'report.html'), io.cwd)}`);
}
