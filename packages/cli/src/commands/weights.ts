// `ugp weights <subcommand>`: pretrained weight files (fetch; more subcommands live in their own files).
import type { Argv, CommandModule } from 'yargs';
import { weightsExportCommand } from './weights-export.js';
import { weightsFetchCommand } from './weights-fetch.js';
import { weightsImportCommand } from './weights-import.js';

export const weightsCommand: CommandModule = {
  command: 'weights <subcommand>',
  describe:
    'weights: download into the cache, import official .pth files or export a run as a UGPNet checkpoint',
  builder: (y: Argv) =>
    y
      .command(weightsFetchCommand)
      .command(weightsImportCommand)
      .command(weightsExportCommand)
      .demandCommand(1),
  handler: () => {},
};
