// `traitlab list`: what can be run — the shipped experiments, and the teacher and student
// recipes an experiment file may name.
import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { studentRegistry } from '../../students/index.js';
import { teacherAliasesOf, teacherRegistry } from '../../teachers/index.js';
import { loadRunFile } from '../registry/load-run-file.js';
import { checkRegistryNames, worldNamed, worldNames } from '../registry/worlds.js';
import type { CliIo } from './io.js';
import { packageRoot } from './package-root.js';
import { shownPath } from './shown-path.js';

function section(title: string, rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  const lines = rows.length ? rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`.trimEnd()) : ['  (none)'];
  return [title, ...lines].join('\n');
}

/** ` (formerly "owl"; the old name still works, with a warning)`: a recipe's old names, which experiment files may still use. */
function formerly(aliases: string[]): string {
  return aliases.length ? ` (formerly ${aliases.map((a) => `"${a}"`).join(', ')}; the old name still works, with a warning)` : '';
}

function shippedExperiments(dir: string): [string, string][] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => {
    try {
      const loaded = loadRunFile(join(dir, f), {}, process.cwd(), checkRegistryNames);
      if (loaded.kind === 'experiment') return [f.replace(/\.json$/, ''), loaded.exp.description];
      const { plan } = loaded;
      return [f.replace(/\.json$/, ''), `[sweep of ${plan.entries.map((e) => e.path).join(' × ')}, ${plan.points.length} points] ${plan.points[0]!.exp.description}`];
    } catch (e) {
      // A broken shipped file is listed with its problem rather than hiding the others.
      return [f.replace(/\.json$/, ''), `(invalid: ${(e as Error).message})`];
    }
  });
}

export function registerList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('list the worlds, the shipped experiments and the registered teachers and students')
    .action(() => {
      const dir = join(packageRoot(), 'experiments');
      io.out(
        [
          section('Worlds (world)', worldNames().map((name) => [name, worldNamed(name).description])),
          section(`Experiments (run with: traitlab run ${shownPath(join(dir, '<name>.json'), io.cwd)})`, shippedExperiments(dir)),
          section('Teachers (teacher.name)', [...teacherRegistry.values()].map((t) => [t.name, `[${t.world}] ${t.description}${formerly(teacherAliasesOf(t.name))}`])),
          section('Students (arms[].student)', [...studentRegistry.values()].map((s) => [s.name, s.description])),
        ].join('\n\n'),
      );
    });
}
