// The layers of src/ (README, Layout), checked from the imports, type-only ones included:
//
//   core      engine, models, distill, probes, config, plot, and each world's data generators
//             (worlds/<world>/data*.ts): browser-safe, so no `node:` module, no Node-only
//             package, and nothing outside the core
//   run       run/: run directories, checkpoints, shards and merge, the arm pool; knows no world
//   worlds    worlds/<world>/ and the descriptor contract worlds/*.ts; a world's folder does not
//             import another world's (shared language-model stages live in worlds/lm/)
//   registry  registry/: the list of worlds, and what reads experiments through it
//   claims, report   on the registry; they reach a world only through its descriptor
//   cli       on top
//   lab       src/lab/: the web page and its worker, on top beside the cli. It runs the worlds'
//             stages itself (it may reach into a world's folder), and everything it imports,
//             however indirectly, must be browser-safe: it is bundled into a page
//
// teachers/ and students/ (recipes) sit beside the worlds: they import the core and the worlds'
// data generators. No import may point up this list.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importsOf, root, specifiersOf, src, tsFiles } from '../support/imports.js';

const CORE_FOLDERS = ['engine', 'models', 'distill', 'probes', 'config', 'plot'];
/** Packages only Node has (besides its builtins): none may be imported by the core. */
const NODE_ONLY_PACKAGES = ['mnist', '@tensorflow/tfjs-node', 'cli-progress', 'commander', '@sparticuz/chromium'];

type Layer = 'core' | 'recipes' | 'run' | 'worlds' | 'registry' | 'claims' | 'report' | 'cli' | 'lab' | 'outside';
const RANK: Record<Layer, number> = { core: 0, recipes: 1, run: 1, worlds: 2, registry: 3, claims: 4, report: 5, cli: 6, lab: 6, outside: 99 };

/** A file's path from the repository root, with forward slashes. */
const rel = (file: string) => relative(root, file).split(sep).join('/');

export function layerOf(path: string): Layer {
  if (path.startsWith('teachers/') || path.startsWith('students/')) return 'recipes';
  if (!path.startsWith('src/')) return 'outside';
  const [folder, sub, name] = path.slice(4).split('/');
  if (CORE_FOLDERS.includes(folder!)) return 'core';
  if (folder === 'worlds') return name !== undefined && /^data[\w-]*\.ts$/.test(name) ? 'core' : 'worlds';
  if (folder === 'run' || folder === 'registry' || folder === 'claims' || folder === 'report' || folder === 'cli' || folder === 'lab') return folder;
  return sub === undefined ? 'outside' : 'outside';
}

/** The world folder a path is in (`src/worlds/<world>/…`), or null. */
const worldFolder = (path: string): string | null => /^src\/worlds\/([^/]+)\//.exec(path)?.[1] ?? null;

/** What is wrong with `from` importing `to` (repository paths), or null when it may. */
export function importProblem(from: string, to: string): string | null {
  const [a, b] = [layerOf(from), layerOf(to)];
  // The page bundles the shipped experiment files and bases.
  if (a === 'lab' && (to.startsWith('experiments/') || to.startsWith('bases/'))) return null;
  if (b === 'outside' && !to.startsWith('teachers/') && !to.startsWith('students/')) return `${from} imports ${to}, outside the layers`;
  if (a === 'lab' && b === 'cli') return `${from} (lab) imports ${to} (cli)`;
  if (a === 'core' && b !== 'core') return `${from} is core (browser-safe) but imports ${to} (${b})`;
  if (RANK[b] > RANK[a] || (a === 'run' && b === 'recipes') || (a === 'recipes' && b === 'run')) return `${from} (${a}) imports ${to} (${b}), a higher layer`;
  const [fw, tw] = [worldFolder(from), worldFolder(to)];
  if (a === 'worlds' && tw !== null && fw !== null && fw !== tw && tw !== 'lm' && layerOf(to) !== 'core') return `${from} imports another world's ${to}`;
  if (RANK[a] >= RANK.claims && a !== 'lab' && tw !== null && b !== 'core') return `${from} reaches into ${to}; go through the registry (its descriptor)`;
  return null;
}

/** What is wrong with core file `from` importing package `specifier`, or null. */
export function packageProblem(from: string, specifier: string): string | null {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  if (specifier.startsWith('node:') || builtinModules.includes(name)) return `${from} is core (browser-safe) but imports ${specifier}`;
  if (NODE_ONLY_PACKAGES.includes(name)) return `${from} is core (browser-safe) but imports ${specifier}, which only Node has`;
  return null;
}

const scanned = [...tsFiles(src), ...tsFiles(join(root, 'teachers')), ...tsFiles(join(root, 'students'))];

describe('layers', () => {
  test('the rules catch an upward import, a Node import in the core, another world, and a reach past the registry', () => {
    expect(layerOf('src/worlds/numbers/data.ts')).toBe('core');
    expect(layerOf('src/worlds/numbers/experiment.ts')).toBe('worlds');
    expect(importProblem('src/run/shard.ts', 'src/worlds/em/plan.ts')).toMatch(/higher layer/);
    expect(importProblem('src/engine/rng.ts', 'src/run/run-dir.ts')).toMatch(/browser-safe/);
    expect(importProblem('src/worlds/em/probes.ts', 'src/worlds/numbers/arm.ts')).toMatch(/another world/);
    expect(importProblem('src/worlds/em/probes.ts', 'src/worlds/lm/lm-train.ts')).toBeNull();
    expect(importProblem('src/cli/pretrain.ts', 'src/worlds/em/experiment.ts')).toMatch(/through the registry/);
    expect(importProblem('src/cli/pretrain.ts', 'src/worlds/world.ts')).toBeNull();
    expect(importProblem('src/worlds/mnist/world.ts', 'src/run/types.ts')).toBeNull();
    expect(packageProblem('src/engine/x.ts', 'node:fs')).toMatch(/node:fs/);
    expect(packageProblem('src/engine/x.ts', 'fs')).toMatch(/fs/);
    expect(packageProblem('src/engine/x.ts', 'mnist')).toMatch(/only Node/);
    expect(packageProblem('src/engine/x.ts', '@tensorflow/tfjs')).toBeNull();
    expect(importProblem('src/lab/worker/numbers-run.ts', 'src/worlds/numbers/arm.ts')).toBeNull();
    expect(importProblem('src/lab/main.ts', 'src/cli/run.ts')).toMatch(/lab/);
    expect(importProblem('src/worlds/numbers/arm.ts', 'src/lab/protocol.ts')).toMatch(/higher layer/);
  });

  test('no import points up the layers, type-only imports included', () => {
    const problems = scanned.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')).map((to) => importProblem(rel(file), rel(to)))).filter((p) => p !== null);
    expect(scanned.length).toBeGreaterThan(150);
    expect(problems).toEqual([]);
  });

  test('the lab is browser-safe: nothing its page or worker imports, however indirectly, needs Node', () => {
    const entries = [join(src, 'lab', 'main.ts'), join(src, 'lab', 'worker', 'lab-worker.ts')].filter((f) => existsSync(f));
    expect(entries).toContain(join(src, 'lab', 'worker', 'lab-worker.ts'));
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file) || !file.endsWith('.ts')) return;
      seen.add(file);
      for (const to of importsOf(file, readFileSync(file, 'utf8'))) visit(to);
    };
    entries.forEach(visit);
    // The worker runs the worlds' own stages: the numbers arm and the MNIST student arm among them.
    expect([...seen].map(rel)).toEqual(expect.arrayContaining(['src/worlds/numbers/arm.ts', 'src/distill/channel.ts', 'src/worlds/mnist/student-arm-steps.ts']));
    const problems = [...seen].flatMap((file) => specifiersOf(readFileSync(file, 'utf8')).filter((s) => !s.startsWith('.')).map((s) => packageProblem(rel(file), s))).filter((p) => p !== null);
    expect(problems).toEqual([]);
  });

  test('the core is browser-safe: no Node module or Node-only package', () => {
    const core = scanned.filter((f) => layerOf(rel(f)) === 'core');
    expect(core.length).toBeGreaterThan(40);
    const problems = core.flatMap((file) => specifiersOf(readFileSync(file, 'utf8')).filter((s) => !s.startsWith('.')).map((s) => packageProblem(rel(file), s))).filter((p) => p !== null);
    expect(problems).toEqual([]);
  });
});
