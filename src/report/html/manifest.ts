// The manifest as a readable block: what ran (config, seeds, backend), with what (package
// versions, Node, host) and from which code (git commit, dirty or not), then the resolved
// config in full, folded away until asked for. manifest.json is read defensively: older runs
// or merged shards may lack fields.
import { escapeHtml } from '../../plot/escape.js';

const text = (v: unknown): string => (v === undefined || v === null ? '–' : typeof v === 'string' ? v : JSON.stringify(v));
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** The config's seedsVary (absent in configs written before it existed: "init"). */
const seedsVaryOf = (config: unknown): unknown => obj(config)?.seedsVary;

function row(label: string, value: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

function gitText(git: unknown): string {
  const g = obj(git);
  if (g === null) return 'not recorded (not run from a git checkout)';
  return `${text(g.commit)}${g.dirty === true ? ' (with uncommitted changes)' : g.dirty === false ? ' (clean)' : ''}`;
}

function hostText(host: unknown): string {
  const h = obj(host);
  if (h === null) return '–';
  return `${text(h.platform)} ${text(h.arch)}, ${text(h.cpus)} cores${h.cpuModel ? ` (${text(h.cpuModel)})` : ''}`;
}

export function manifestBlock(m: Record<string, unknown>): string {
  const versions = obj(m.versions) ?? {};
  const versionList = Object.entries(versions)
    .map(([name, v]) => `<code>${escapeHtml(name)}</code> ${escapeHtml(v === null ? 'not installed' : text(v))}`)
    .join(', ');
  const wall = typeof m.wallSeconds === 'number' ? `${m.wallSeconds} s` : '–';
  const rows = [
    row('experiment', escapeHtml(text(m.experiment))),
    row('experiment file', escapeHtml(text(m.experimentFile))),
    row('seeds', `${escapeHtml(text(m.seeds))} (root seed ${escapeHtml(text(m.rootSeed))}${seedsVaryOf(m.config) === 'init-and-data' ? '; each seed with its own data' : ''})`),
    row('backend', escapeHtml(text(m.backend))),
    row('versions', versionList || '–'),
    row('git commit', escapeHtml(gitText(m.git))),
    row('host', escapeHtml(hostText(m.host))),
    row('started', escapeHtml(text(m.startedAt))),
    row('finished', `${escapeHtml(text(m.finishedAt))} (wall time ${escapeHtml(wall)})`),
  ];
  // Closed: the config is the longest block of the page and the least read; long strings wrap (style: pre.config).
  const json = m.config === undefined ? '' : JSON.stringify(m.config, null, 2);
  const config = m.config === undefined ? '' : `<details class="config"><summary>resolved config (${json.split('\n').length} lines of JSON)</summary><pre class="config">${escapeHtml(json)}</pre></details>`;
  return `<table class="manifest">${rows.join('')}</table>\n${config}`;
}
