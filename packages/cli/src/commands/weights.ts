// `ugp weights <subcommand>`: pretrained weight files (fetch; more subcommands live in their own files).
import type { Argv, CommandModule } from 'yargs';
import { weightsFetchCommand } from './weights-fetch.js';

export const weightsCommand: CommandModule = {
  command: 'weights <subcommand>',
  describe: 'pretrained weights: download or import into the local cache',
  builder: (y: Argv) => y.command(weightsFetchCommand).demandCommand(1),
  handler: () => {},
};
