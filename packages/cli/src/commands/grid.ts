// `ugp grid run | status | export | submit | priors`: ablation grids, one file per subcommand group
// (grid-run, grid-status, grid-slurm, grid-priors). They parse flags and print; the work is the
// runner's (runGrid, gridStatusAcrossStores, writeSlurmScripts, submitGrid, makeGridPriorFiles).
import type { Argv, CommandModule } from 'yargs';
import { gridPriorsCommand } from './grid-priors.js';
import { gridRunCommand, gridWorkerCommand } from './grid-run.js';
import { gridExportCommand, gridSubmitCommand } from './grid-slurm.js';
import { gridStatusCommand } from './grid-status.js';

export const gridCommand: CommandModule = {
  command: 'grid <command>',
  describe: 'ablation grids: run, status, export / submit --slurm',
  builder: (y: Argv) =>
    y
      .command(gridRunCommand)
      .command(gridStatusCommand)
      .command(gridExportCommand)
      .command(gridSubmitCommand)
      .command(gridPriorsCommand)
      .command(gridWorkerCommand)
      .demandCommand(1),
  handler: () => {},
};
