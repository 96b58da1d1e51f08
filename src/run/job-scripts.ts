// What `traitlab plan --emit slurm|k8s` writes: a job array that runs the n shards of one
// experiment file (each task reads its slice from the scheduler's own variables, `--shard auto`)
// and a merge that joins them when every shard has finished. The shards write to
// <out>/shards/shard-<i> and the merge to <out>/merged, so nothing depends on the time a task
// started. Pure text: the CLI (src/cli/plan.ts) writes the files.
//
//   Slurm       shards.sbatch (an array --array=1-n; the shard index from SLURM_ARRAY_TASK_ID −
//               SLURM_ARRAY_TASK_MIN + 1), merge.sbatch, and submit.sh, which submits the array
//               and then the merge with --dependency=afterok on it
//   Kubernetes  shards.json, an Indexed Job (completionMode Indexed, completions n; the index
//               from JOB_COMPLETION_INDEX), and merge.json, a Job to apply once the first has
//               completed (kubectl wait); JSON is YAML, so kubectl reads either

/** What the scripts run, and where. */
export interface JobPlan {
  /** The experiment's name (job names). */
  name: string;
  /** The experiment file as the jobs see it, relative to their working directory. */
  file: string;
  shards: number;
  /** Where the shards and the merged run go, relative to the working directory (or absolute). */
  out: string;
  /** Cores per shard (the run's --jobs). */
  cpus: number;
  /** Extra options every shard's run gets, e.g. ["--seeds", "5"]. */
  runOptions: readonly string[];
}

export interface JobFile {
  name: string;
  text: string;
  /** Shell scripts are written executable. */
  executable: boolean;
}

/** A word as a POSIX shell reads it: bare when safe, else single-quoted. */
export const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
const words = (ws: readonly string[]) => ws.map(shellWord).join(' ');

/** The shard command, given the shell expression of its 1-based index. */
function shardCommand(p: JobPlan, index: string, autoShard: string): string {
  const out = `${p.out}/shards/shard-${index}`;
  return `"\${TRAITLAB[@]}" run ${words([p.file, ...p.runOptions])} --shard ${autoShard} --jobs ${p.cpus} --out "${out}"`;
}

/** How the scripts call traitlab: TRAITLAB (a command line) when set, else `npx traitlab`. */
const TRAITLAB_LINE = 'read -r -a TRAITLAB <<< "${TRAITLAB:-npx traitlab}"';
const mergeCommand = (p: JobPlan) => `"\${TRAITLAB[@]}" merge "${p.out}/shards" --out "${p.out}/merged"`;

const jobName = (p: JobPlan) => p.name.slice(0, 50);

export function slurmScripts(p: JobPlan): JobFile[] {
  const shards = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${jobName(p)}-shards`,
    `#SBATCH --array=1-${p.shards}`,
    `#SBATCH --cpus-per-task=${p.cpus}`,
    `#SBATCH --output=${p.out}/logs/shard-%a.out`,
    `# One task per shard of ${p.file}; traitlab reads the shard from SLURM_ARRAY_TASK_ID.`,
    'set -euo pipefail',
    TRAITLAB_LINE,
    `mkdir -p "${p.out}/shards"`,
    shardCommand(p, '$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))', 'auto'),
    '',
  ].join('\n');
  const merge = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${jobName(p)}-merge`,
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --output=${p.out}/logs/merge.out`,
    `# Joins the ${p.shards} shards into one run directory, as one unsharded run writes it.`,
    'set -euo pipefail',
    TRAITLAB_LINE,
    mergeCommand(p),
    '',
  ].join('\n');
  const submit = [
    '#!/usr/bin/env bash',
    `# Submits the ${p.shards} shards of ${p.file} as one Slurm array, then the merge once all succeed.`,
    'set -euo pipefail',
    'here="$(cd "$(dirname "$0")" && pwd)"',
    `mkdir -p "${p.out}/logs"`,
    'array=$(sbatch --parsable "$here/shards.sbatch")',
    'sbatch --dependency=afterok:"${array%%;*}" "$here/merge.sbatch"',
    '',
  ].join('\n');
  return [
    { name: 'shards.sbatch', text: shards, executable: true },
    { name: 'merge.sbatch', text: merge, executable: true },
    { name: 'submit.sh', text: submit, executable: true },
  ];
}

/** A Kubernetes object name: lower-case letters, digits and dashes, ≤ 63 characters. */
const k8sName = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 52) || 'traitlab';

const container = (p: JobPlan, name: string, script: string, cpus: number) => ({
  name,
  image: 'node:20',
  workingDir: '/work',
  command: ['bash', '-c', script],
  env: [{ name: 'TRAITLAB_SHARD_COUNT', value: String(p.shards) }],
  resources: { requests: { cpu: String(cpus) } },
  volumeMounts: [{ name: 'work', mountPath: '/work' }],
});

/** The shared volume every pod mounts at /work: the project (with node_modules) and the runs. */
const volumes = [{ name: 'work', persistentVolumeClaim: { claimName: 'traitlab-work' } }];

export function k8sManifests(p: JobPlan): JobFile[] {
  const base = k8sName(p.name);
  const shardScript = [TRAITLAB_LINE, `mkdir -p "${p.out}/shards"`, shardCommand(p, '$((JOB_COMPLETION_INDEX + 1))', 'auto')].join('\n');
  const shards = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${base}-shards`, labels: { app: 'traitlab', experiment: base } },
    spec: {
      completionMode: 'Indexed',
      completions: p.shards,
      parallelism: p.shards,
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [container(p, 'shard', shardScript, p.cpus)], volumes } },
    },
  };
  const merge = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${base}-merge`, labels: { app: 'traitlab', experiment: base } },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [container(p, 'merge', [TRAITLAB_LINE, mergeCommand(p)].join('\n'), 1)], volumes } },
    },
  };
  const json = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;
  const apply = [
    '#!/usr/bin/env bash',
    `# Runs the ${p.shards} shards of ${p.file} as an Indexed Job, then the merge once it completes.`,
    '# Every pod mounts the PersistentVolumeClaim "traitlab-work" at /work: the project, installed (npm ci), and the runs.',
    'set -euo pipefail',
    'here="$(cd "$(dirname "$0")" && pwd)"',
    'kubectl apply -f "$here/shards.json"',
    `kubectl wait --for=condition=complete --timeout=-1s job/${base}-shards`,
    'kubectl apply -f "$here/merge.json"',
    '',
  ].join('\n');
  return [
    { name: 'shards.json', text: json(shards), executable: false },
    { name: 'merge.json', text: json(merge), executable: false },
    { name: 'apply.sh', text: apply, executable: true },
  ];
}
