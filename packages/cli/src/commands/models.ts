// `ugp models <subcommand>`: the architectures (summary; more subcommands live in their own files).
import type { Argv, CommandModule } from 'yargs';
import { modelsSummaryCommand } from './models-summary.js';

export const modelsCommand: CommandModule = {
  command: 'models <subcommand>',
  describe: 'architectures: parameters per module and tensor shapes',
  builder: (y: Argv) => y.command(modelsSummaryCommand).demandCommand(1),
  handler: () => {},
};
