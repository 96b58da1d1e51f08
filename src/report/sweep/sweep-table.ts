// The terminal table of a sweep: one row per point and arm, the swept values first, then the
// arm's headline metric as mean ± 95 % interval over seeds; then each point's claim verdicts.
import { meanPm } from '../../plot/format.js';
import type { SweepSummary } from './sweep-summary.js';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

export function formatSweepTable(s: SweepSummary, sweepDir: string): string {
  const paths = s.sweep.map((e) => e.path);
  const header = [...paths, 'arm', `${s.metric} (mean ± 95 % CI)`, 'seeds'];
  const rows = s.points.flatMap((p) => p.arms.map((a) => [...paths.map((path) => show(p.settings[path])), a.name, meanPm(a.mean, a.ci95), String(a.values.length)]));
  const claimLines = s.points.flatMap((p) => p.claims.map((c) => `  ${p.label}  ${c.id}: ${c.verdict}`));
  const points = `${s.points.length} point${s.points.length === 1 ? '' : 's'}`;
  return [
    `${s.experiment} · sweep of ${paths.join(' × ')} · ${points} · ${s.seeds} seed${s.seeds === 1 ? '' : 's'} · root seed ${s.rootSeed} · backend ${s.backend}`,
    '',
    ...align([header, ...rows]),
    '',
    ...(claimLines.length ? ['claims, evaluated per point on its own seeds:', ...claimLines, ''] : []),
    `${s.metric}: ${s.interval}`,
    `sweep directory: ${sweepDir} (each point's run directory under points/)`,
  ].join('\n');
}
