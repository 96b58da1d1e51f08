// The command-line program: registers the commands and routes every failure through
// handleError. `main` returns the exit code instead of exiting, so tests call it in-process.
import '../run/native-backend.js';
import { Command } from 'commander';
import { handleError, EXIT_BAD_INPUT, EXIT_OK } from './handle-error.js';
import { processIo, type CliIo } from './io.js';
import { registerDemo } from './demo.js';
import { registerList } from './list.js';
import { registerMerge } from './merge.js';
import { registerPlan } from './plan.js';
import { registerPretrain } from './pretrain.js';
import { packageVersionOfTraitlab } from './package-root.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerSchema } from './schema.js';
import { registerShow } from './show.js';
import { registerVerify } from './verify.js';

const chomp = (s: string) => s.replace(/\n$/, '');

function program(io: CliIo): Command {
  const program = new Command('traitlab')
    .description('subliminal trait transfer experiments with small TensorFlow.js models')
    .version(packageVersionOfTraitlab(), '-v, --version')
    // Settings before .command(): subcommands inherit them.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(chomp(s)),
      writeErr: (s) => io.err(chomp(s)),
      outputError: () => {}, // handleError prints the one line
    })
    .showSuggestionAfterError(true);
  registerRun(program, io);
  registerDemo(program, io);
  registerList(program, io);
  registerSchema(program, io);
  registerPretrain(program, io);
  registerPlan(program, io);
  registerReport(program, io);
  registerShow(program, io);
  registerVerify(program, io);
  registerMerge(program, io);
  return program;
}

export async function main(argv: readonly string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...processIo(), ...ioOverrides };
  let cli: Command | undefined;
  try {
    cli = program(io);
    if (argv.length === 0) {
      io.out(chomp(cli.helpInformation()));
      io.err(`traitlab: no command given; use one of ${cli.commands.map((c) => c.name()).join(', ')}`);
      return EXIT_BAD_INPUT;
    }
    await cli.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    const command = cli?.commands.find((c) => c.name() === argv[0]);
    return handleError(e, io, command ? `traitlab ${command.name()}` : 'traitlab');
  }
}
