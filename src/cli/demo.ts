// `traitlab demo`: the teaching demo — `traitlab run` of the package's experiments/demo.json,
// which starts from the pretrained bases shipped in bases/ and fits in about a minute and a
// half on 2 cores. Prints the table and the claims, and says where the report is.
import type { Command } from 'commander';
import { join } from 'node:path';
import { BACKEND_CHOICES } from '../engine/backend.js';
import type { CliIo } from './io.js';
import { packageRoot } from './package-root.js';
import { run } from './run.js';

export const demoExperimentFile = (): string => join(packageRoot(), 'experiments', 'demo.json');

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('run the teaching demo (experiments/demo.json): off-policy vs on-policy, same-init vs cross-init, about 75 s on 2 cores')
    .option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--jobs <n>', 'worker threads for independent arms (default: the number of cores)')
    .option('--out <dir>', 'run directory (default: runs/demo-<UTC time>-<config hash>)')
    .option('--json', 'print the summary as JSON instead of the table')
    .action((raw: unknown) => run(demoExperimentFile(), raw, io));
}
