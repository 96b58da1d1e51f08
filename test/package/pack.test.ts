// traitlab as a user installs it: `npm pack` of this checkout (its dist/ as `npm test` has just
// built it), installed into an empty folder whose path has a space in it, with the versions of
// npm-shrinkwrap.json from npm's cache (install-tarball.ts), then run there through npx:
// `traitlab run` of a shipped experiment (one shard, compared byte for byte with the same run
// from this checkout) and `traitlab demo`, which must start from the shipped bases (nothing
// pretrained, no cache written) and save itself on Ctrl-C. The whole demo takes about 75 s on an
// idle machine, so by default it is stopped once its arms run; TRAITLAB_PACK_FULL_DEMO=1 runs it
// to the end and checks the table and claims the README shows.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv, installTarball, run } from '../support/install-tarball.js';

const root = join(import.meta.dirname, '../..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'traitlab pack-'));
const installed = join(dir, 'node_modules', 'traitlab');
let demo: ChildProcess | undefined;
afterAll(() => {
  // A demo still running (the test timed out) must not outlive the test or its folder.
  if (demo && demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid!, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Packed {
  filename: string;
  size: number;
  files: { path: string }[];
}
let packed: Packed;

const npx = (args: string[]) => run('npx', ['--no-install', 'traitlab', ...args], { cwd: dir, env: cleanEnv(), maxBuffer: 1 << 24 });

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/src/cli/index.js'))) throw new Error('dist/ is not built; run npm run build (npm test does it first)');
  // --ignore-scripts: prepack/prepare would rebuild dist/, which npm test has just done.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, env: cleanEnv(), maxBuffer: 1 << 24 });
  packed = (JSON.parse(stdout) as Packed[])[0]!;
  await installTarball(join(dir, packed.filename), join(root, 'npm-shrinkwrap.json'), dir);
}, 240_000);

describe('the packed package', () => {
  test('holds the built code, the shipped bases and experiments, the shrinkwrap and the README; no sources, tests or maps', () => {
    const paths = packed.files.map((f) => f.path);
    expect(packed.filename).toBe(`traitlab-${version}.tgz`);
    for (const p of ['package.json', 'README.md', 'npm-shrinkwrap.json', 'dist/src/cli/index.js', 'dist/src/run/pool/arm-worker.js', 'dist/teachers/index.js', 'dist/students/index.js', 'experiments/demo.json', 'experiments/mnist-aux-logits.json'])
      expect(paths).toContain(p);
    expect(paths.filter((p) => p.startsWith('bases/'))).toEqual(expect.arrayContaining([expect.stringMatching(/^bases\/gpt-[0-9a-f]{16}\.ckpt$/)]));
    expect(paths.filter((p) => !/^(dist\/(src|teachers|students)\/.*\.js|bases\/.*\.ckpt|experiments\/.*\.json|package\.json|README\.md|npm-shrinkwrap\.json)$/.test(p))).toEqual([]);
    expect(existsSync(join(installed, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))).toBe(true);
  });

  test('npx traitlab run <a shipped experiment> --shard: exit 0, the table and the run directory; the same numbers as from this checkout', async () => {
    const file = join(installed, 'experiments', 'mnist-aux-logits.json');
    const r = await npx(['run', file, '--shard', '1/6', '--backend', 'wasm', '--out', 'reference']);
    expect(r.stdout).toContain('mnist-aux-logits · 5 seeds · root seed 0 · backend wasm');
    expect(r.stdout).toMatch(/^reference +reference +\d+\.\d ± +\d+\.\d %( +\d+\.\d){5}$/m);
    expect(r.stdout).toContain('run directory: reference\nreport: reference/report.html');
    const manifest = JSON.parse(readFileSync(join(dir, 'reference', 'manifest.json'), 'utf8')) as { experimentFile: string; versions: Record<string, string | null>; git: unknown };
    expect(manifest.experimentFile).toBe(file);
    expect(manifest.versions.traitlab).toBe(version);
    expect(manifest.versions['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.git).toBeNull(); // an installed package is no checkout
    // The same shard from this checkout's build gives the same files.
    const here = join(dir, 'from-checkout');
    mkdirSync(here);
    await run(process.execPath, [join(root, 'dist/src/cli/index.js'), 'run', join(root, 'experiments', 'mnist-aux-logits.json'), '--shard', '1/6', '--backend', 'wasm', '--out', 'reference'], { cwd: here, env: cleanEnv() });
    for (const f of ['summary.json', 'metrics.jsonl']) expect(readFileSync(join(dir, 'reference', f), 'utf8'), f).toBe(readFileSync(join(here, 'reference', f), 'utf8'));
  }, 120_000);

  const fullDemo = process.env.TRAITLAB_PACK_FULL_DEMO === '1';

  test(`npx traitlab demo starts from the shipped bases${fullDemo ? ' and runs to the end' : '; Ctrl-C once its arms run saves it'}`, async () => {
    // Its own process group, so the Ctrl-C below reaches npx and traitlab as a terminal's would.
    const child = (demo = spawn('npx', ['--no-install', 'traitlab', 'demo', '--backend', 'wasm'], { cwd: dir, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // A progress line naming an arm: the bases and teacher are done and the students train.
      if (!fullDemo && !interrupted && /· (same|cross)-init-(off|on)-policy ·/.test(err)) {
        interrupted = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    const ended = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const lines = err.split('\n').filter((l) => l && !l.startsWith('progress:'));
    const started = /^running demo: 3 seeds, root seed 0, backend wasm → (runs\/demo-\S+)$/.exec(lines[0] ?? '');
    expect(started, err).not.toBeNull();
    const runDir = started![1]!;
    // Bases found in the package are read where they are; a miss would have pretrained them into the cache.
    expect(existsSync(join(dir, '.traitlab-cache'))).toBe(false);
    if (fullDemo) {
      expect(ended).toEqual({ code: 0, signal: null });
      expect(out).toMatch(/^same-init-off-policy +same-init +teacher-fresh\+forward-kl /m);
      expect(out).toContain('claims: 0 of 5 SUPPORTED; 5 indicative (3 seeds)');
      expect(out).toContain(`run directory: ${runDir}`);
      expect(existsSync(join(dir, runDir, 'summary.json'))).toBe(true);
    } else {
      expect(interrupted).toBe(true);
      expect(ended.signal ?? ended.code).not.toBe(0);
      expect(lines.slice(1)).toEqual([`traitlab: interrupted (SIGINT); the run is saved in ${runDir}.partial; continue it with: traitlab run --resume ${runDir}.partial`]);
      const manifest = JSON.parse(readFileSync(join(dir, `${runDir}.partial`, 'manifest.json'), 'utf8')) as { experimentFile: string };
      expect(manifest.experimentFile).toBe(join(installed, 'experiments', 'demo.json'));
      expect(existsSync(join(dir, `${runDir}.partial`, 'checkpoint', 'run.json'))).toBe(true);
    }
  }, fullDemo ? 1_200_000 : 300_000);
});
